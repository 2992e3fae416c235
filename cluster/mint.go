package cluster

import (
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// mint makes the rights of the active revision's limits, on the minter
// only: for each limit, what the limit has grown by since the last mint
// (all of it the first time), recorded in the same transaction, so each
// right exists once however often the minter restarts. A lowered limit
// burns what the minter still holds, down to the new limit at most.
func (rt *Rights) mint() error {
	rev := rt.revision()
	if rev == nil {
		return nil
	}
	return rt.st.UpdateFleet(func(f *store.FleetTx) error {
		for _, c := range rev.Campaigns() {
			for _, lk := range []struct {
				limit byte
				value int64
			}{{limitCount, c.Limits.Redemptions}, {limitBudget, c.Limits.Budget}} {
				if lk.value <= 0 {
					continue
				}
				if err := rt.mintOne(f, limitKey{c.ID, lk.limit}, lk.value); err != nil {
					return err
				}
			}
			rt.usage.touch(c.ID)
		}
		if p := rev.Loyalty; p != nil {
			for id, rw := range p.Rewards {
				if rw.Stock <= 0 {
					continue
				}
				k := limitKey{policies.RewardKey(id), limitCount} // a reward's stock (StockLimit)
				if err := rt.mintOne(f, k, rw.Stock); err != nil {
					return err
				}
				rt.usage.touch(k.Campaign)
			}
		}
		return nil
	})
}

func (rt *Rights) mintOne(f *store.FleetTx, k limitKey, limit int64) error {
	done := f.Minted(k.rights())
	if limit == done {
		return nil
	}
	r := getRights(f, k)
	if limit > done {
		r.Held += limit - done
		done = limit
	} else {
		burn := min(r.Held, done-limit)
		r.Held -= burn
		done -= burn
	}
	if err := putRights(f, k, r); err != nil {
		return err
	}
	rt.log.Info("minted rights", "campaign", k.Campaign, "limit", string(k.Limit), "minted", done)
	return f.PutMinted(k.rights(), done)
}
