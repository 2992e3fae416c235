package cluster

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestSeedRestartFindsTheFleet kills the seed (the minter, started
// without Join) under load and restarts it with its own command line, no
// Join: it must find the fleet it belonged to from the members its file
// remembers, so the rights it holds are usable in full from another node
// within a few seconds. Reconnect and push/pull run at production pace, so
// neither of them hides a seed that came back alone.
func TestSeedRestartFindsTheFleet(t *testing.T) {
	const limit = 80
	rev := testRevision(t, "r1", map[string]string{"c": campaignDoc(`"redemptions":80`)})
	f := newFleetWith(t, 3, rev, func(c *Config) {
		c.ReconnectInterval = 10 * time.Second
		c.Memberlist.PushPullInterval = 30 * time.Second
	})
	var got atomic.Int64
	stop := make(chan struct{})
	wg := f.load("c", 3, stop, &got)
	f.eventually(5*time.Second, "some redemptions", func() bool { return got.Load() >= 6 })
	seed := f.nodes[0]
	f.crashWhileLoaded(seed)
	seed.alone = true
	f.start(seed) // back at once, under load, with no Join
	time.Sleep(200 * time.Millisecond)
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
