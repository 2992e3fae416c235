package cluster

import (
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/promoedge/promoedge/policies/store"
)

// Test-only views of a node and a fast configuration.

// FastConfig tunes every interval down for tests on loopback: failures
// are detected in well under a second.
func FastConfig(name string) Config {
	ml := memberlist.DefaultLocalConfig()
	ml.GossipInterval = 20 * time.Millisecond
	ml.ProbeInterval = 100 * time.Millisecond
	ml.ProbeTimeout = 50 * time.Millisecond
	ml.SuspicionMult = 2
	ml.PushPullInterval = 500 * time.Millisecond
	ml.GossipToTheDeadTime = 1 * time.Second
	ml.DeadNodeReclaimTime = 200 * time.Millisecond
	ml.TCPTimeout = time.Second
	return Config{
		Name: name, Bind: "127.0.0.1:0", Memberlist: ml,
		PublishInterval:   20 * time.Millisecond,
		RetryInterval:     100 * time.Millisecond,
		ReconnectInterval: 300 * time.Millisecond,
		AcquireTimeout:    2 * time.Second,
	}
}

// Minted reports what the minter has made of campaign's limits (0 on other
// nodes).
func (n *Node) Minted(campaign string) (count, budget int64) {
	_ = n.st.ViewFleet(func(f *store.FleetTx) error {
		count = f.Minted(limitKey{campaign, limitCount}.rights())
		budget = f.Minted(limitKey{campaign, limitBudget}.rights())
		return nil
	})
	return count, budget
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
	_ = n.st.ViewFleet(func(f *store.FleetTx) error {
		r := getRights(f, k)
		a.Held, a.Consumed, a.Minted = r.Held, r.Consumed, f.Minted(k.rights())
		return f.EachOutgoing(func(_ string, t *store.Transfer) error {
			if keyOf(t.Key) == k {
				a.InFlight += t.Amount
			}
			return nil
		})
	})
	return a
}

// InFlight sums the rights this node has sent and not yet seen
// acknowledged, by limit (the checker's Σ in flight).
func (n *Node) InFlight() map[string]int64 {
	out := map[string]int64{}
	n.rights.xfer.mu.Lock()
	for _, p := range n.rights.xfer.out {
		out[p.key.Campaign+"/"+string(p.key.Limit)] += p.amount
	}
	n.rights.xfer.mu.Unlock()
	return out
}
