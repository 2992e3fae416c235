package cluster

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSeedRestartFindsTheFleet kills the seed (the minter, started
// without Join) under load and restarts it with its own command line, no
// Join: it must find the fleet it belonged to from the members its file
// remembers, so the rights it holds are usable in full from another node
// within a few seconds. Reconnect and push/pull run at production pace, so
// neither of them hides a seed that came back alone. (Restarted before
// the others notice, memberlist's probes and gossip reunite them anyway.)
func TestSeedRestartFindsTheFleet(t *testing.T) {
	const limit = 80
	rev := testRevision(t, "r1", map[string]string{"c": campaignDoc(`"redemptions":80`)})
	f := newFleetWith(t, 3, rev, func(c *Config) {
		c.ReconnectInterval = 10 * time.Second
		c.Memberlist.PushPullInterval = 30 * time.Second
	})
	var got atomic.Int64
	stop := make(chan struct{})
	seed := f.nodes[0]
	wg := f.loadOn(seed, "c", 3, stop, &got) // on the seed: the rights stay there
	f.eventually(5*time.Second, "some redemptions", func() bool { return got.Load() >= 6 })
	f.crashWhileLoaded(seed)
	// Until the others give up on it, their probes and gossip would find
	// it again by themselves; after, only a rejoin does.
	f.eventually(5*time.Second, "the others see the seed dead", func() bool {
		return f.nodes[1].node.ml.NumMembers() == 2 && f.nodes[2].node.ml.NumMembers() == 2
	})
	seed.alone = true
	f.start(seed) // with no Join
	close(stop)
	wg.Wait()
	if held := seed.node.account(limitKey{"c", limitCount}).Held; held == 0 {
		t.Fatalf("the seed holds no rights: the test shows nothing")
	}
	start := time.Now()
	other := f.nodes[1]
	f.eventually(5*time.Second, "the limit used in full from n1", func() bool {
		total, _ := f.ledger("c")
		if total > limit {
			t.Fatalf("overshoot: %d > %d", total, limit)
		}
		if total == limit {
			return true
		}
		_, _ = f.redeem(other, "c", "")
		return false
	})
	total, byNode := f.ledger("c")
	t.Logf("limit used in full %v after the load stopped; ledgers %v", time.Since(start).Round(time.Millisecond), byNode)
	if total != limit {
		t.Fatalf("ledger %d, limit %d", total, limit)
	}
}

// loadOn redeems campaign on tn only, from workers goroutines, while it is
// up, until stop is closed; it counts grants.
func (f *fleet) loadOn(tn *tnode, campaign string, workers int, stop <-chan struct{}, got *atomic.Int64) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				f.redeemWhileUp(tn, campaign, got)
			}
		})
	}
	return &wg
}
