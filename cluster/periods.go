package cluster

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/money"
	"github.com/promoedge/promoedge/policies/store"
)

// Per-period limits (limits.per_period) are limits like the others, one
// per period: the rights of a campaign's daily limit on 2026-11-24 are
// the limit "campaign \x00 day:2026-11-24:<end>" (policies.Period.Key),
// minted by the minter for the period running and the next one, moved
// between nodes, gossiped in the usage CRDT under that name, and
// forgotten PeriodGrace after the period ends (the store deletes them
// from the file, pruneMemory from memory). A period's rights never meet
// another period's, so a period's limit is never exceeded, whatever the
// clocks say: a redemption needs rights of the period its request names,
// and only the minter creates them.

// periodRegister names campaign's usage register in period (a Period's
// Key), and the limits of that period (periodLimitKey).
func periodRegister(campaign, period string) string { return campaign + "\x00" + period }

// periodLimitKey is the limit of campaign's per-period limit kind
// (limitPeriodCount or limitPeriodBudget) in period.
func periodLimitKey(campaign, period string, limit byte) limitKey {
	return limitKey{Campaign: periodRegister(campaign, period), Limit: limit}
}

// isPeriodLimit reports whether limit is a per-period one.
func isPeriodLimit(limit byte) bool { return limit == limitPeriodCount || limit == limitPeriodBudget }

// isBudget reports whether rights of limit are minor units of discount.
func isBudget(limit byte) bool { return limit == limitBudget || limit == limitPeriodBudget }

// periodOf splits a period limit's name; ok is false for other limits.
func (k limitKey) periodOf() (campaign, period string, ok bool) {
	if !isPeriodLimit(k.Limit) {
		return "", "", false
	}
	return strings.Cut(k.Campaign, "\x00")
}

// registerEnded reports whether name, a usage register's name, is a
// period's that ended before cutoff.
func registerEnded(name string, cutoff time.Time) bool {
	_, period, ok := strings.Cut(name, "\x00")
	return ok && periodEnded(period, cutoff)
}

// periodEnded reports whether period (a Period's Key) ended before
// cutoff.
func periodEnded(period string, cutoff time.Time) bool {
	end, ok := policies.PeriodKeyEnd(period)
	return ok && end.Before(cutoff)
}

// periodReason is the per-period limit, if any, that one more redemption
// of c would exceed here: rights held for the cluster-wide ones, this
// node's count for per_customer.
func (lim *Limiter) periodReason(tx policies.Escrow, c *policies.RedeemedCampaign, customer string, u policies.Used) policies.Reason {
	if f, ok := tx.(*store.FleetTx); ok && longOver(c, f.PrunedBefore()) {
		return policies.LimitExhausted
	}
	return c.PeriodReason(customer, u, func(k policies.RightsKey, need int64) bool {
		return tx.Rights(k).Held >= need
	})
}

// longOver reports whether c counts in a period that ended before cutoff
// (store.FleetTx.PrunedBefore): its counters here may be pruned
// (per_customer would count anew), and no rights of it are minted.
func longOver(c *policies.RedeemedCampaign, cutoff time.Time) bool {
	return c.Period != "" && !cutoff.IsZero() && periodEnded(c.Period, cutoff)
}

// takePeriod spends the rights of c's per-period limits in its period.
func (lim *Limiter) takePeriod(tx policies.Escrow, c *policies.RedeemedCampaign) error {
	p := c.Limits.PerPeriod
	if !p.Set() || c.Period == "" {
		return nil
	}
	if p.Redemptions > 0 {
		if err := lim.move(tx, periodLimitKey(c.Campaign, c.Period, limitPeriodCount), 1, lim.lowMark(p.Redemptions, 1)); err != nil {
			return err
		}
	}
	if p.Budget > 0 && c.Amount > 0 {
		if err := lim.move(tx, periodLimitKey(c.Campaign, c.Period, limitPeriodBudget), c.Amount, lim.lowMark(p.Budget, 2*c.Amount)); err != nil {
			return err
		}
	}
	register := periodRegister(c.Campaign, c.Period)
	tx.OnCommit(func() { lim.touch(register) })
	return nil
}

// periodKeys are the limits of c's period a rollback gives back to.
func periodKeys(c *policies.RedeemedCampaign) []limitKey {
	if c.Period == "" {
		return nil
	}
	return []limitKey{periodLimitKey(c.Campaign, c.Period, limitPeriodCount), periodLimitKey(c.Campaign, c.Period, limitPeriodBudget)}
}

// periodMints remembers, on the minter, the periods already minted for
// each campaign, so that a publish tick mints only at a boundary.
type periodMints struct {
	mu   sync.Mutex
	done map[string]string // campaign -> the Key of the last period minted
}

// mintPeriods mints the rights of every per-period limit of the active
// revision for the period running at now and the next one: nodes can
// stock up on the next period before it starts, and a minter down at a
// boundary has already minted it. What was minted of a period is recorded
// (Minted), so minting again changes nothing.
func (rt *Rights) mintPeriods(now time.Time) error {
	rev := rt.revision()
	if rev == nil {
		return nil
	}
	rt.mints.mu.Lock()
	defer rt.mints.mu.Unlock()
	if rt.mints.done == nil {
		rt.mints.done = map[string]string{}
	}
	var todo []*policies.Campaign
	for _, c := range rev.Campaigns() {
		if c.Limits.PerPeriod.Set() && rt.mints.done[c.ID] != c.PeriodAt(now).Next().Key() {
			todo = append(todo, c)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	err := rt.st.UpdateFleet(func(f *store.FleetTx) error {
		for _, c := range todo {
			cur := c.PeriodAt(now)
			for _, p := range []policies.Period{cur, cur.Next()} {
				if err := rt.mintPeriod(f, c, p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, c := range todo {
		rt.mints.done[c.ID] = c.PeriodAt(now).Next().Key()
	}
	return nil
}

func (rt *Rights) mintPeriod(f *store.FleetTx, c *policies.Campaign, p policies.Period) error {
	key := p.Key()
	for _, lk := range []struct {
		limit byte
		value int64
	}{{limitPeriodCount, c.Limits.PerPeriod.Redemptions}, {limitPeriodBudget, c.Limits.PerPeriod.Budget}} {
		if lk.value <= 0 {
			continue
		}
		if err := rt.mintOne(f, periodLimitKey(c.ID, key, lk.limit), lk.value); err != nil {
			return err
		}
	}
	rt.usage.touch(periodRegister(c.ID, key))
	return nil
}

// forgetMints makes the next mintPeriods look at every campaign again
// (a new revision may have changed its limits).
func (rt *Rights) forgetMints() {
	rt.mints.mu.Lock()
	clear(rt.mints.done)
	rt.mints.mu.Unlock()
}

// pruneMemory forgets what memory keeps of periods that ended before
// cutoff: usage registers, refusals, requests and waiters.
func (n *Node) pruneMemory(cutoff time.Time) {
	t := n.usage.table
	t.mu.Lock()
	for name := range t.regs {
		if registerEnded(name, cutoff) {
			delete(t.regs, name)
		}
	}
	t.mu.Unlock()
	n.usage.dirtyMu.Lock()
	for name := range n.usage.echo {
		if registerEnded(name, cutoff) {
			delete(n.usage.echo, name)
		}
	}
	n.usage.dirtyMu.Unlock()
	x := n.rights.xfer
	x.mu.Lock()
	for k := range x.denies {
		if isPeriodLimit(k.Limit) && registerEnded(k.Campaign, cutoff) {
			delete(x.denies, k)
		}
	}
	for a := range x.asks {
		if isPeriodLimit(a.k.Limit) && registerEnded(a.k.Campaign, cutoff) {
			delete(x.asks, a)
		}
	}
	for k, ch := range x.waiters {
		if isPeriodLimit(k.Limit) && registerEnded(k.Campaign, cutoff) {
			close(ch) // a redemption still waiting looks again and finds none
			delete(x.waiters, k)
		}
	}
	x.mu.Unlock()
}

// UsedIn implements policies.PeriodUsage: this node's use of the
// campaign and of the period, read from its file, plus what every other
// node last gossiped of each. The customer's counts are this node's, as
// per_customer is.
func (us *Usage) UsedIn(ctx context.Context, campaign, period, customer string) (policies.Used, error) {
	u, err := us.st.UsedIn(ctx, campaign, period, customer)
	if err != nil {
		return u, err
	}
	r, s := us.table.others(campaign, us.cfg.Name)
	u.Redemptions += r
	u.Spent = money.Saturating(max(0, u.Spent), s)
	r, s = us.table.others(periodRegister(campaign, period), us.cfg.Name)
	u.PeriodRedemptions += r
	u.PeriodSpent = money.Saturating(max(0, u.PeriodSpent), s)
	return u, nil
}

var _ policies.PeriodUsage = (*Usage)(nil)

// now is the node's clock (Config.Now).
func (b *base) now() time.Time {
	if b.cfg.Now != nil {
		return b.cfg.Now()
	}
	return time.Now()
}

// followPeriods runs at every publish tick: the minter mints the periods
// that began (a no-op but at boundaries), and every PruneInterval the
// node forgets periods that ended PeriodGrace ago.
func (n *Node) followPeriods(lastPrune *time.Time) {
	now := n.now()
	if n.cfg.Minter {
		if err := n.rights.mintPeriods(now); err != nil {
			n.log.Error("minting the rights of periods", "err", err)
		}
	}
	every := n.cfg.PruneInterval
	if every <= 0 {
		every = time.Minute
	}
	if time.Since(*lastPrune) < every {
		return
	}
	*lastPrune = time.Now()
	cutoff := n.st.PeriodCutoff() // by the store's clock and the latest request committed
	if _, err := n.st.PrunePeriods(cutoff); err != nil && !n.stopping() {
		n.log.Warn("pruning ended periods", "err", err)
	}
	n.pruneMemory(cutoff)
}

// mintOnDemand makes the minter mint a period the first time its rights
// are asked for (by a peer, or by a redemption here), when the periodic
// minting by the minter's clock has not: the checkout is trusted for
// context.now, so a fleet counts in the periods its requests name. A
// period that ended before the cutoff is never minted (it may have been
// minted and pruned), and neither is a name that is not a period of the
// campaign's.
func (rt *Rights) mintOnDemand(k limitKey) {
	campaign, period, ok := k.periodOf()
	if !ok || !rt.cfg.Minter {
		return
	}
	rev := rt.revision()
	if rev == nil {
		return
	}
	c, err := rev.Campaign(campaign)
	end, ok := policies.PeriodKeyEnd(period)
	if err != nil || !ok || !c.Limits.PerPeriod.Set() {
		return
	}
	p := c.PeriodAt(end.Add(-time.Second))
	if p.Key() != period {
		return
	}
	minted := false
	_ = rt.st.ViewFleet(func(f *store.FleetTx) error {
		minted = f.Minted(k.rights()) != 0
		return nil
	})
	if minted {
		return // most asks: no write
	}
	rt.mints.mu.Lock()
	defer rt.mints.mu.Unlock()
	err = rt.st.UpdateFleet(func(f *store.FleetTx) error {
		if f.Minted(k.rights()) != 0 {
			return nil
		}
		if cut := f.PrunedBefore(); !cut.IsZero() && end.Before(cut) {
			return nil
		}
		return rt.mintPeriod(f, c, p)
	})
	if err != nil {
		rt.log.Error("minting the rights of a period", "campaign", campaign, "period", period, "err", err)
	}
}
