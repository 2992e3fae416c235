package cluster

import (
	"context"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// Rights is this node's share of the fleet's limits outside the commits:
// it mints them (the minter), asks other nodes for them when a redemption
// found too few here (policies.Supplier) or a limit runs low, grants them
// to nodes that ask, and moves them by durable transfers (transfer.go).
type Rights struct {
	*base
	lim    *Limiter
	usage  *Usage
	xfer   *transfers
	peeks  *replies      // wallet reads waiting for shares (walletview.go)
	shares *walletShares // the other nodes' told shares (walletshares.go)
	mints  periodMints   // periods minted (periods.go)
}

var _ policies.Supplier = (*Rights)(nil)

// Supply implements policies.Supplier. The store checks and spends the
// rights this node holds, in the redemption's own transaction, with no
// network on the way. Only when a campaign lost for want of rights held
// here does the engine ask Supply, which asks the nodes that have some and
// waits for the transfer (at most Config.AcquireTimeout from since); a
// limit nobody holds any of is exhausted at once.
func (rt *Rights) Supply(ctx context.Context, r *policies.Redemption, exhausted map[string]policies.Reason, since time.Time) bool {
	wallet, ok := rewardsExhausted(exhausted)
	if !ok || (wallet && !rt.supplyWallet(ctx, r, since.Add(rt.cfg.AcquireTimeout))) { // wallets.go
		return false
	}
	if !rt.supplyCards(ctx, r, exhausted, since.Add(rt.cfg.AcquireTimeout)) { // giftcards.go
		return false
	}
	need := rt.shortfalls(r, exhausted)
	if need == nil {
		return false
	}
	start := time.Now()
	got := rt.acquire(ctx, need, since.Add(rt.cfg.AcquireTimeout))
	rt.cfg.Observer.Waited(time.Since(start), got)
	return got
}

// shortfalls is what r needs of each limit that rejected it, or nil when
// one of its rejections is not for want of rights (per_customer, a code
// used up here): the engine re-prices without those first.
func (rt *Rights) shortfalls(r *policies.Redemption, exhausted map[string]policies.Reason) map[limitKey]int64 {
	need := map[limitKey]int64{}
	var cutoff time.Time
	_ = rt.st.ViewFleet(func(f *store.FleetTx) error { cutoff = f.PrunedBefore(); return nil })
	for i := range r.Campaigns {
		c := &r.Campaigns[i]
		if exhausted[c.Campaign] != "" && longOver(c, cutoff) {
			return nil // no rights of a period long over exist anywhere
		}
		switch exhausted[c.Campaign] {
		case "":
		case policies.LimitExhausted:
			if c.Limits.Redemptions > 0 {
				need[limitKey{c.Campaign, limitCount}] = 1
			}
			if c.Period != "" && c.Limits.PerPeriod.Redemptions > 0 { // periods.go
				need[periodLimitKey(c.Campaign, c.Period, limitPeriodCount)] = 1
			}
		case policies.BudgetExhausted:
			if c.Limits.Budget > 0 {
				need[limitKey{c.Campaign, limitBudget}] = c.Amount
			}
			if c.Period != "" && c.Limits.PerPeriod.Budget > 0 {
				need[periodLimitKey(c.Campaign, c.Period, limitPeriodBudget)] = c.Amount
			}
		case policies.CodeUsed:
			if !c.UniqueCode || rt.codeUsedHere(c) {
				return nil
			}
			need[codeKey(c.Campaign, c.Code)] = 1
		default:
			return nil
		}
	}
	for i := range r.Rewards {
		rw := &r.Rewards[i]
		if exhausted[policies.RewardKey(rw.Reward)] == policies.OutOfStock && rw.Stock > 0 {
			need[limitKey{policies.RewardKey(rw.Reward), limitCount}] = 1 // its stock's units (StockLimit)
		}
	}
	return need
}

// acquire waits until this node holds what need says, asking holders for
// rights, and reports whether it got them before deadline.
func (rt *Rights) acquire(ctx context.Context, need map[limitKey]int64, deadline time.Time) bool {
	for k, want := range need {
		if !rt.acquireOne(ctx, k, want, deadline) {
			return false
		}
	}
	return true
}

// acquireOne asks the nodes said to hold rights of k first, then every
// live node. It gives up only when two rounds of asking every live node,
// a gossip interval apart, were all answered "none here, none in flight":
// a right moving between two nodes is always in the sender's outbox or the
// receiver's hold, so a lone round could miss it.
func (rt *Rights) acquireOne(ctx context.Context, k limitKey, want int64, deadline time.Time) bool {
	rt.mintOnDemand(k) // periods.go: on the minter, a period first asked for
	asked := map[string]time.Time{}
	empty := 0
	for {
		news := rt.xfer.wait(k) // before reading, so no credit is missed
		held := rt.heldOf(k)
		if held >= want {
			return true
		}
		left := time.Until(deadline)
		if left <= 0 {
			rt.log.Debug("no rights in time", "campaign", k.Campaign, "held", held, "want", want, "asked", len(asked))
			return false
		}
		wait := min(left, 5*rt.cfg.RetryInterval)
		if donor := rt.pickDonor(k, asked); donor != "" {
			asked[donor] = rt.ask(donor, k, want-held)
		} else {
			answered, final := rt.xfer.answers(k, asked)
			switch {
			case final:
				if empty++; empty >= 2 {
					rt.log.Debug("rights exhausted", "campaign", k.Campaign, "held", held, "want", want)
					return false
				}
				clear(asked)
				wait = min(left, 2*rt.cfg.PublishInterval)
			case answered:
				clear(asked) // rights are moving: ask again after a gossip round
				wait = min(left, 2*rt.cfg.PublishInterval)
			default:
				// Someone has not answered: a request, or its "none", may
				// have been lost (a full send queue, a TCP timeout).
				// Transfers are resent until acknowledged, requests are
				// not: ask again whoever is a retry interval overdue.
				for donor, at := range asked {
					if time.Since(at) >= rt.cfg.RetryInterval {
						asked[donor] = rt.ask(donor, k, want-held)
					}
				}
				wait = min(left, rt.cfg.RetryInterval)
			}
		}
		select {
		case <-news:
		case <-time.After(wait):
		case <-ctx.Done():
			return false
		case <-rt.stop:
			return false
		}
	}
}

// ask sends donor a request for amount of k unless one went to it in the
// last retry interval, and returns when the request it counts on was sent:
// many redemptions waiting for the same limit share one request.
func (rt *Rights) ask(donor string, k limitKey, amount int64) time.Time {
	now := time.Now()
	rt.xfer.mu.Lock()
	a := askKey{k, donor}
	prev, ok := rt.xfer.asks[a]
	fresh := ok && now.Sub(prev.at) < rt.cfg.RetryInterval && prev.amount >= amount
	if !fresh {
		rt.xfer.asks[a] = ask{now, amount}
	}
	rt.xfer.mu.Unlock()
	if fresh {
		return prev.at
	}
	rt.send(donor, message{kind: kRequest, node: rt.cfg.Name, campaign: k.Campaign, limit: k.Limit, amount: amount})
	return now
}

// pickDonor is the live node said to hold most of k that was not asked
// yet; failing that, any live node not asked yet (its gossip may lag:
// rights may have reached it since).
func (rt *Rights) pickDonor(k limitKey, asked map[string]time.Time) string {
	alive := map[string]bool{}
	for _, m := range rt.ml.Members() {
		if m.Name != rt.cfg.Name {
			alive[m.Name] = true
		}
	}
	hs := rt.usage.table.holders(k, rt.cfg.Name)
	if k.Limit == limitCode { // no gossip of who holds a code: ask where it was made
		hs = []string{rt.codeOrigin(k)}
	}
	for _, h := range hs {
		if _, done := asked[h]; alive[h] && !done {
			return h
		}
	}
	for name := range alive {
		if _, done := asked[name]; !done {
			return name
		}
	}
	return ""
}

// prefetch asks the biggest holder of each limit that ran low for more.
func (rt *Rights) prefetch() {
	for k, mark := range rt.lim.takeLow() {
		if hs := rt.usage.table.holders(k, rt.cfg.Name); len(hs) > 0 {
			rt.send(hs[0], message{kind: kRequest, node: rt.cfg.Name, campaign: k.Campaign, limit: k.Limit, amount: 2 * mark})
		}
	}
}
