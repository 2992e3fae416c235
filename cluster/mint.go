package cluster

import (
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
)

// mint makes the rights of the active revision's limits, on the minter
// only: for each limit, what the limit has grown by since the last mint
// (all of it the first time), recorded in the same transaction, so each
// right exists once however often the minter restarts. A lowered limit
// burns what the minter still holds, down to the new limit at most.
func (n *Node) mint() error {
	rev := n.revision()
	if rev == nil {
		return nil
	}
	return n.db.Update(func(tx *bolt.Tx) error {
		for _, c := range rev.Campaigns() {
			for _, lk := range []struct {
				limit byte
				value int64
			}{{limitCount, c.Limits.Redemptions}, {limitBudget, c.Limits.Budget}} {
				if lk.value <= 0 {
					continue
				}
				if err := n.mintOne(tx, limitKey{c.ID, lk.limit}, lk.value); err != nil {
					return err
				}
			}
			n.touch(c.ID)
		}
		return nil
	})
}

func (n *Node) mintOne(tx *bolt.Tx, k limitKey, limit int64) error {
	minted := tx.Bucket(bMinted)
	var done int64
	if raw := minted.Get(rightsKey(k)); len(raw) == 8 {
		done = int64(binary.BigEndian.Uint64(raw))
	}
	if limit == done {
		return nil
	}
	r := getRights(tx, k)
	if limit > done {
		r.held += limit - done
		done = limit
	} else {
		burn := min(r.held, done-limit)
		r.held -= burn
		done -= burn
	}
	if err := putRights(tx, k, r); err != nil {
		return err
	}
	n.log.Info("minted rights", "campaign", k.Campaign, "limit", string(k.Limit), "minted", done)
	return minted.Put(rightsKey(k), binary.BigEndian.AppendUint64(nil, uint64(done)))
}

// Minted reports what the minter has made of campaign's limits (0 on other
// nodes).
func (n *Node) Minted(campaign string) (count, budget int64) {
	_ = n.db.View(func(tx *bolt.Tx) error {
		get := func(l byte) int64 {
			raw := tx.Bucket(bMinted).Get(rightsKey(limitKey{campaign, l}))
			if len(raw) != 8 {
				return 0
			}
			return int64(binary.BigEndian.Uint64(raw))
		}
		count, budget = get(limitCount), get(limitBudget)
		return nil
	})
	return count, budget
}
