package cluster

import (
	"context"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

var _ policies.Supplier = (*Node)(nil)

// Supply implements policies.Supplier. The store checks and spends the
// rights this node holds, in the redemption's own transaction, with no
// network on the way. Only when a campaign lost for want of rights held
// here does the engine ask Supply, which asks the nodes that have some and
// waits for the transfer (at most Config.AcquireTimeout from since); a
// limit nobody holds any of is exhausted at once.
func (n *Node) Supply(ctx context.Context, r *policies.Redemption, exhausted map[string]policies.Reason, since time.Time) bool {
	need := n.shortfalls(r, exhausted)
	if need == nil {
		return false
	}
	start := time.Now()
	got := n.acquire(ctx, need, since.Add(n.cfg.AcquireTimeout))
	n.cfg.Observer.Waited(time.Since(start), got)
	return got
}

// shortfalls is what r needs of each limit that rejected it, or nil when
// one of its rejections is not for want of rights (per_customer, a code
// used up here): the engine re-prices without those first.
func (n *Node) shortfalls(r *policies.Redemption, exhausted map[string]policies.Reason) map[limitKey]int64 {
	need := map[limitKey]int64{}
	for i := range r.Campaigns {
		c := &r.Campaigns[i]
		switch exhausted[c.Campaign] {
		case "":
		case policies.LimitExhausted:
			need[limitKey{c.Campaign, limitCount}] = 1
		case policies.BudgetExhausted:
			need[limitKey{c.Campaign, limitBudget}] = c.Amount
		case policies.CodeUsed:
			if !c.UniqueCode || n.codeUsedHere(c) {
				return nil
			}
			need[codeKey(c.Campaign, c.Code)] = 1
		default:
			return nil
		}
	}
	return need
}

func (n *Node) heldOf(k limitKey) int64 {
	var held int64
	_ = n.st.ViewFleet(func(f *store.FleetTx) error {
		held = getRights(f, k).Held
		return nil
	})
	return held
}

// acquire waits until this node holds what need says, asking holders for
// rights, and reports whether it got them before deadline.
func (n *Node) acquire(ctx context.Context, need map[limitKey]int64, deadline time.Time) bool {
	for k, want := range need {
		if !n.acquireOne(ctx, k, want, deadline) {
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
func (n *Node) acquireOne(ctx context.Context, k limitKey, want int64, deadline time.Time) bool {
	asked := map[string]time.Time{}
	empty := 0
	for {
		news := n.xfer.wait(k) // before reading, so no credit is missed
		held := n.heldOf(k)
		if held >= want {
			return true
		}
		left := time.Until(deadline)
		if left <= 0 {
			n.log.Debug("no rights in time", "campaign", k.Campaign, "held", held, "want", want, "asked", len(asked))
			return false
		}
		wait := min(left, 5*n.cfg.RetryInterval)
		if donor := n.pickDonor(k, asked); donor != "" {
			asked[donor] = n.ask(donor, k, want-held)
		} else {
			answered, final := n.xfer.answers(k, asked)
			switch {
			case final:
				if empty++; empty >= 2 {
					n.log.Debug("rights exhausted", "campaign", k.Campaign, "held", held, "want", want)
					return false
				}
				clear(asked)
				wait = min(left, 2*n.cfg.PublishInterval)
			case answered:
				clear(asked) // rights are moving: ask again after a gossip round
				wait = min(left, 2*n.cfg.PublishInterval)
			}
		}
		select {
		case <-news:
		case <-time.After(wait):
		case <-ctx.Done():
			return false
		case <-n.stop:
			return false
		}
	}
}

// ask sends donor a request for amount of k unless one went to it in the
// last retry interval, and returns when the request it counts on was sent:
// many redemptions waiting for the same limit share one request.
func (n *Node) ask(donor string, k limitKey, amount int64) time.Time {
	now := time.Now()
	n.xfer.mu.Lock()
	a := askKey{k, donor}
	prev, ok := n.xfer.asks[a]
	fresh := ok && now.Sub(prev.at) < n.cfg.RetryInterval && prev.amount >= amount
	if !fresh {
		n.xfer.asks[a] = ask{now, amount}
	}
	n.xfer.mu.Unlock()
	if fresh {
		return prev.at
	}
	n.send(donor, message{kind: kRequest, node: n.cfg.Name, campaign: k.Campaign, limit: k.Limit, amount: amount})
	return now
}

// pickDonor is the live node said to hold most of k that was not asked
// yet; failing that, any live node not asked yet (its gossip may lag:
// rights may have reached it since).
func (n *Node) pickDonor(k limitKey, asked map[string]time.Time) string {
	alive := map[string]bool{}
	for _, m := range n.ml.Members() {
		if m.Name != n.cfg.Name {
			alive[m.Name] = true
		}
	}
	hs := n.usage.holders(k, n.cfg.Name)
	if k.Limit == limitCode { // no gossip of who holds a code: ask where it was made
		hs = []string{n.codeOrigin(k)}
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

// lowWater notes, inside a commit, that k ran low here (held under
// mark): the publish loop fetches more before a redemption has to wait.
func (n *Node) lowWater(k limitKey, held, mark int64) {
	if held >= mark {
		return
	}
	n.lowMu.Lock()
	n.low[k] = mark
	n.lowMu.Unlock()
}

// lowMark is a quarter of an even share of a limit, at least need.
func (n *Node) lowMark(limit, need int64) int64 {
	return max(need, limit/int64(4*max(1, n.members.Load())))
}

// prefetch asks the biggest holder of each limit that ran low for more.
func (n *Node) prefetch() {
	n.lowMu.Lock()
	low := n.low
	n.low = map[limitKey]int64{}
	n.lowMu.Unlock()
	for k, mark := range low {
		if hs := n.usage.holders(k, n.cfg.Name); len(hs) > 0 {
			n.send(hs[0], message{kind: kRequest, node: n.cfg.Name, campaign: k.Campaign, limit: k.Limit, amount: 2 * mark})
		}
	}
}
