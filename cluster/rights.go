package cluster

import (
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

var _ policies.Limiter = (*Node)(nil)

// rights converts k to the store's and the domain's name of a limit.
func (k limitKey) rights() policies.RightsKey {
	if k.Limit == limitCode {
		campaign, code := splitCodeKey(k)
		return policies.RightsKey{Campaign: campaign, Code: code, Kind: policies.LimitCode}
	}
	return policies.RightsKey{Campaign: k.Campaign, Kind: policies.LimitKind(k.Limit)}
}

// keyOf is rights' inverse.
func keyOf(r policies.RightsKey) limitKey {
	if r.Kind == policies.LimitCode {
		return codeKey(r.Campaign, r.Code)
	}
	return limitKey{r.Campaign, byte(r.Kind)}
}

// rights is what this node holds of one limit and what it has consumed.
type rights = policies.Rights

func getRights(e policies.Escrow, k limitKey) rights { return e.Rights(k.rights()) }

func putRights(e policies.Escrow, k limitKey, r rights) error { return e.PutRights(k.rights(), r) }

// Check implements policies.Limiter: a redemption needs one right of
// limits.redemptions and amount rights of limits.budget held here.
// per_customer is checked against this node's own count (see README).
func (n *Node) Check(tx policies.Escrow, c *policies.RedeemedCampaign, customer string, u policies.Used) (policies.Reason, error) {
	l := c.Limits
	switch {
	case l.Redemptions > 0 && getRights(tx, limitKey{c.Campaign, limitCount}).Held < 1:
		return policies.LimitExhausted, nil
	case l.PerCustomer > 0 && (customer == "" || u.Customer+1 > l.PerCustomer):
		return policies.PerCustomerLimit, nil
	case l.Budget > 0 && getRights(tx, limitKey{c.Campaign, limitBudget}).Held < c.Amount:
		return policies.BudgetExhausted, nil
	case c.UniqueCode && getRights(tx, codeKey(c.Campaign, c.Code)).Held < 1:
		return policies.CodeUsed, nil
	}
	return "", nil
}

// Take implements policies.Limiter: it spends the rights Check found.
func (n *Node) Take(tx policies.Escrow, c *policies.RedeemedCampaign, _ string) error {
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

// Give implements policies.Limiter: a rollback turns consumed rights back
// into held ones, on the node that took them. The stored redemption does
// not say which limits it took, so a limit gives back only what this node
// has consumed of it (see Caveats in doc.go).
func (n *Node) Give(tx policies.Escrow, c *policies.RedeemedCampaign, _ string) error {
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
		amount = min(amount, r.Consumed)
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
func (n *Node) move(tx policies.Escrow, k limitKey, amount, mark int64) error {
	r := getRights(tx, k)
	r.Held -= amount
	r.Consumed += amount
	if err := putRights(tx, k, r); err != nil {
		return err
	}
	n.lowWater(k, r.Held, mark)
	return nil
}

// Held reports the rights of campaign's limits this node holds.
func (n *Node) Held(campaign string) (count, budget int64) {
	_ = n.st.ViewFleet(func(f *store.FleetTx) error {
		count = getRights(f, limitKey{campaign, limitCount}).Held
		budget = getRights(f, limitKey{campaign, limitBudget}).Held
		return nil
	})
	return count, budget
}
