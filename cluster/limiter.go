package cluster

import (
	"sync"
	"sync/atomic"

	"github.com/promoedge/promoedge/policies"
)

// Limiter spends and gives back this node's escrowed rights inside the
// store's transactions (policies.Limiter): a redemption needs one right of
// limits.redemptions, amount rights of limits.budget and one use of its
// generated code, held here. It needs no network: made before the store
// (NewLimiter), given to store.Config.Limiter, then to New, whose node
// tells the fleet what it spent once each transaction is committed and
// fetches more of a limit that runs low.
type Limiter struct {
	lowMu   sync.Mutex
	low     map[limitKey]int64 // limits running low: fetch more
	members atomic.Int64       // live members, refreshed every publish tick
	node    atomic.Pointer[Node]
}

var _ policies.Limiter = (*Limiter)(nil)

// NewLimiter returns a Limiter for one node.
func NewLimiter() *Limiter { return &Limiter{low: map[limitKey]int64{}} }

// touch tells the node's usage that campaign's counters changed.
func (lim *Limiter) touch(campaign string) {
	if n := lim.node.Load(); n != nil {
		n.usage.touch(campaign)
	}
}

// announceCodeUse tells the node's code-use hints of a spent or returned
// use.
func (lim *Limiter) announceCodeUse(k limitKey, used bool) {
	if n := lim.node.Load(); n != nil {
		n.hints.announceCodeUse(k, used)
	}
}

// takeLow is the limits that ran low since the last call.
func (lim *Limiter) takeLow() map[limitKey]int64 {
	lim.lowMu.Lock()
	defer lim.lowMu.Unlock()
	low := lim.low
	lim.low = map[limitKey]int64{}
	return low
}

// Check implements policies.Limiter: a redemption needs one right of
// limits.redemptions and amount rights of limits.budget held here.
// per_customer is checked against this node's own count (see README).
func (lim *Limiter) Check(tx policies.Escrow, c *policies.RedeemedCampaign, customer string, u policies.Used) (policies.Reason, error) {
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
	return lim.periodReason(tx, c, customer, u), nil
}

// Take implements policies.Limiter: it spends the rights Check found.
func (lim *Limiter) Take(tx policies.Escrow, c *policies.RedeemedCampaign, _ string) error {
	if c.Limits.Redemptions > 0 {
		if err := lim.move(tx, limitKey{c.Campaign, limitCount}, 1, lim.lowMark(c.Limits.Redemptions, 1)); err != nil {
			return err
		}
	}
	if c.Limits.Budget > 0 && c.Amount > 0 {
		if err := lim.move(tx, limitKey{c.Campaign, limitBudget}, c.Amount, lim.lowMark(c.Limits.Budget, 2*c.Amount)); err != nil {
			return err
		}
	}
	if c.UniqueCode {
		k := codeKey(c.Campaign, c.Code)
		if err := lim.move(tx, k, 1, 0); err != nil {
			return err
		}
		tx.OnCommit(func() { lim.announceCodeUse(k, true) })
	}
	if err := lim.takePeriod(tx, c); err != nil { // periods.go
		return err
	}
	tx.OnCommit(func() { lim.touch(c.Campaign) }) // gossiped once it is visible
	return nil
}

// Give implements policies.Limiter: a rollback turns consumed rights back
// into held ones, on the node that took them. The stored redemption does
// not say which limits it took, so a limit gives back only what this node
// has consumed of it (see Caveats in doc.go).
func (lim *Limiter) Give(tx policies.Escrow, c *policies.RedeemedCampaign, _ string) error {
	keys := []limitKey{{c.Campaign, limitCount}, {c.Campaign, limitBudget}}
	if c.UniqueCode {
		keys = append(keys, codeKey(c.Campaign, c.Code))
	}
	keys = append(keys, periodKeys(c)...) // a pruned period has none consumed: nothing
	if c.Period != "" {
		register := periodRegister(c.Campaign, c.Period)
		tx.OnCommit(func() { lim.touch(register) })
	}
	for _, k := range keys {
		r := getRights(tx, k)
		amount := int64(1)
		if isBudget(k.Limit) {
			amount = c.Amount
		}
		amount = min(amount, r.Consumed)
		if amount <= 0 {
			continue
		}
		if err := lim.move(tx, k, -amount, 0); err != nil {
			return err
		}
		if k.Limit == limitCode {
			tx.OnCommit(func() { lim.announceCodeUse(k, false) })
		}
	}
	tx.OnCommit(func() { lim.touch(c.Campaign) }) // gossiped once it is visible
	return nil
}

// move consumes amount of the rights held of k (a negative amount gives
// consumed rights back); under mark left, more are fetched.
func (lim *Limiter) move(tx policies.Escrow, k limitKey, amount, mark int64) error {
	r := getRights(tx, k)
	r.Held -= amount
	r.Consumed += amount
	if err := putRights(tx, k, r); err != nil {
		return err
	}
	lim.lowWater(k, r.Held, mark)
	return nil
}

// lowWater notes, inside a commit, that k ran low here (held under
// mark): the publish loop fetches more before a redemption has to wait.
func (lim *Limiter) lowWater(k limitKey, held, mark int64) {
	if held >= mark {
		return
	}
	lim.lowMu.Lock()
	lim.low[k] = mark
	lim.lowMu.Unlock()
}

// lowMark is a quarter of an even share of a limit, at least need.
func (lim *Limiter) lowMark(limit, need int64) int64 {
	return max(need, limit/int64(4*max(1, lim.members.Load())))
}
