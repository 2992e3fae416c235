package cluster

import (
	"encoding/binary"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// Buckets the cluster keeps in the store's file, so that rights change in
// the same transaction as the redemptions that spend them.
var (
	bRights = []byte("cluster_rights") // campaign \x00 limit -> held (8) consumed (8)
	bMinted = []byte("cluster_minted") // campaign \x00 limit -> minted so far (8), minter only
	bOutbox = []byte("cluster_outbox") // transfer id -> outgoing transfer not yet acknowledged
	bInbox  = []byte("cluster_inbox")  // transfer id -> credited (dedupe)
	bMeta   = []byte("cluster_meta")   // "file" -> this file's random id; "seq" -> last transfer number
	buckets = [][]byte{bRights, bMinted, bOutbox, bInbox, bMeta, bCodeUse}
)

var _ store.Counter = (*Node)(nil)

func rightsKey(k limitKey) []byte {
	b := make([]byte, 0, len(k.Campaign)+2)
	b = append(b, k.Campaign...)
	return append(b, 0, k.Limit)
}

func parseRightsKey(b []byte) (limitKey, bool) {
	if len(b) < 2 || b[len(b)-2] != 0 {
		return limitKey{}, false
	}
	return limitKey{Campaign: string(b[:len(b)-2]), Limit: b[len(b)-1]}, true
}

// rights is what this node holds of one limit and what it has consumed.
type rights struct{ held, consumed int64 }

func getRights(tx *bolt.Tx, k limitKey) rights {
	raw := tx.Bucket(bRights).Get(rightsKey(k))
	if len(raw) != 16 {
		if k.Limit == limitCode {
			return implicitCodeRights(tx, k)
		}
		return rights{}
	}
	return rights{int64(binary.BigEndian.Uint64(raw)), int64(binary.BigEndian.Uint64(raw[8:]))}
}

func putRights(tx *bolt.Tx, k limitKey, r rights) error {
	raw := make([]byte, 16)
	binary.BigEndian.PutUint64(raw, uint64(r.held))
	binary.BigEndian.PutUint64(raw[8:], uint64(r.consumed))
	return tx.Bucket(bRights).Put(rightsKey(k), raw)
}

// Check implements store.Counter: a redemption needs one right of
// limits.redemptions and amount rights of limits.budget held here.
// per_customer is checked against this node's own count (see README).
func (n *Node) Check(tx *bolt.Tx, c *policies.RedeemedCampaign, customer string, u policies.Used) (policies.Reason, error) {
	l := c.Limits
	switch {
	case l.Redemptions > 0 && getRights(tx, limitKey{c.Campaign, limitCount}).held < 1:
		return policies.LimitExhausted, nil
	case l.PerCustomer > 0 && (customer == "" || u.Customer+1 > l.PerCustomer):
		return policies.PerCustomerLimit, nil
	case l.Budget > 0 && getRights(tx, limitKey{c.Campaign, limitBudget}).held < c.Amount:
		return policies.BudgetExhausted, nil
	case c.UniqueCode && getRights(tx, codeKey(c.Campaign, c.Code)).held < 1:
		return policies.CodeUsed, nil
	}
	return "", nil
}

// Take implements store.Counter: it spends the rights Check found.
func (n *Node) Take(tx *bolt.Tx, c *policies.RedeemedCampaign, _ string) error {
	if c.Limits.Redemptions > 0 {
		if err := n.move(tx, limitKey{c.Campaign, limitCount}, 1, n.lowMark(c.Limits.Redemptions, 1)); err != nil {
			return err
		}
	}
	if c.Limits.Budget > 0 && c.Amount > 0 {
		if err := n.move(tx, limitKey{c.Campaign, limitBudget}, c.Amount, n.lowMark(c.Limits.Budget, 2*c.Amount)); err != nil {
			return err
		}
	}
	if c.UniqueCode {
		k := codeKey(c.Campaign, c.Code)
		if err := n.move(tx, k, 1, 0); err != nil {
			return err
		}
		tx.OnCommit(func() { n.announceCodeUse(k, true) })
	}
	tx.OnCommit(func() { n.touch(c.Campaign) }) // gossiped once it is visible
	return nil
}

// Give implements store.Counter: a rollback turns consumed rights back
// into held ones, on the node that took them. The stored redemption does
// not say which limits it took, so a limit gives back only what this node
// has consumed of it (see Caveats in doc.go).
func (n *Node) Give(tx *bolt.Tx, c *policies.RedeemedCampaign, _ string) error {
	keys := []limitKey{{c.Campaign, limitCount}, {c.Campaign, limitBudget}}
	if c.UniqueCode {
		keys = append(keys, codeKey(c.Campaign, c.Code))
	}
	for _, k := range keys {
		r := getRights(tx, k)
		amount := int64(1)
		if k.Limit == limitBudget {
			amount = c.Amount
		}
		amount = min(amount, r.consumed)
		if amount <= 0 {
			continue
		}
		if err := n.move(tx, k, -amount, 0); err != nil {
			return err
		}
		if k.Limit == limitCode {
			tx.OnCommit(func() { n.announceCodeUse(k, false) })
		}
	}
	tx.OnCommit(func() { n.touch(c.Campaign) }) // gossiped once it is visible
	return nil
}

// move consumes amount of the rights held of k (a negative amount gives
// consumed rights back); under mark left, more are fetched.
func (n *Node) move(tx *bolt.Tx, k limitKey, amount, mark int64) error {
	r := getRights(tx, k)
	r.held -= amount
	r.consumed += amount
	if err := putRights(tx, k, r); err != nil {
		return err
	}
	n.lowWater(k, r.held, mark)
	return nil
}

// Held reports the rights of campaign's limits this node holds.
func (n *Node) Held(campaign string) (count, budget int64) {
	_ = n.db.View(func(tx *bolt.Tx) error {
		count = getRights(tx, limitKey{campaign, limitCount}).held
		budget = getRights(tx, limitKey{campaign, limitBudget}).held
		return nil
	})
	return count, budget
}

func initBuckets(tx *bolt.Tx) error {
	for _, name := range buckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// Account is one node's books for one limit, read from its file: the
// rights it holds, has consumed (redemptions standing), has sent and not
// yet seen acknowledged, and (the minter) has minted. Summed over the
// nodes, Held + Consumed + InFlight never exceeds the limit (doc.go).
type Account struct {
	Held, Consumed, InFlight, Minted int64
}

// Accounts reads this node's books for campaign's two limits.
func (n *Node) Accounts(campaign string) (count, budget Account) {
	return n.account(limitKey{campaign, limitCount}), n.account(limitKey{campaign, limitBudget})
}

func (n *Node) account(k limitKey) Account {
	var a Account
	_ = n.db.View(func(tx *bolt.Tx) error {
		r := getRights(tx, k)
		a.Held, a.Consumed = r.held, r.consumed
		if raw := tx.Bucket(bMinted).Get(rightsKey(k)); len(raw) == 8 {
			a.Minted = int64(binary.BigEndian.Uint64(raw))
		}
		return tx.Bucket(bOutbox).ForEach(func(_, v []byte) error {
			if p, err := decodePending(v); err == nil && p.key == k {
				a.InFlight += p.amount
			}
			return nil
		})
	})
	return a
}
