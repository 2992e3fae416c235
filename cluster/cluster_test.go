package cluster

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// redeemAll runs one redeem per entry of on (the node index) at once and
// counts those that got campaign.
func (f *fleet) redeemAll(campaign string, on []int) int64 {
	var got atomic.Int64
	var wg sync.WaitGroup
	for i, ni := range on {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tn := f.nodes[ni]
			ok, err := f.redeem(tn, campaign, "")
			if err != nil {
				f.t.Errorf("redeem %d on %s: %v", i, tn.name, err)
			}
			if ok {
				got.Add(1)
			}
		}()
	}
	wg.Wait()
	return got.Load()
}

func spread(n, nodes int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i % nodes
	}
	return out
}

func TestLimitSpreadOverThreeNodes(t *testing.T) {
	rev := testRevision(t, "r1", map[string]string{"first-30": campaignDoc(`"redemptions":30`)})
	f := newFleet(t, 3, rev)
	got := f.redeemAll("first-30", spread(90, 3))
	total, byNode := f.ledger("first-30")
	t.Logf("granted %d, ledger %d %v", got, total, byNode)
	if got != 30 || total != 30 {
		t.Fatalf("limit 30 with every node up: %d granted, %d in the ledgers %v", got, total, byNode)
	}
	held, consumed, inflight := f.rightsTotal("first-30", limitCount)
	if held+consumed+inflight > 30 || consumed != 30 {
		t.Fatalf("books: held %d consumed %d in flight %d", held, consumed, inflight)
	}
}

func TestLimitAllLoadOnOneNode(t *testing.T) {
	rev := testRevision(t, "r1", map[string]string{"first-30": campaignDoc(`"redemptions":30`)})
	f := newFleet(t, 3, rev)
	// Spread the rights first, so the loaded node must fetch them back.
	f.redeemAll("first-30", nil)
	for i, tn := range f.nodes[1:] {
		_ = i
		ok, err := f.redeem(tn, "first-30", "")
		if err != nil || !ok {
			t.Fatalf("warm-up redeem on %s: %v %v", tn.name, ok, err)
		}
	}
	on := make([]int, 90)
	for i := range on {
		on[i] = 2
	}
	got := f.redeemAll("first-30", on)
	total, byNode := f.ledger("first-30")
	if got != 28 || total != 30 {
		t.Fatalf("all load on n2: %d granted (want 28 after 2 warm-ups), ledger %d %v", got, total, byNode)
	}
}

func TestBudgetNeverExceeded(t *testing.T) {
	// 100 cents a redemption, budget 1,050: at most 10 fit.
	rev := testRevision(t, "r1", map[string]string{"budget": campaignDoc(`"budget":1050`)})
	f := newFleet(t, 3, rev)
	got := f.redeemAll("budget", spread(60, 3))
	total, _ := f.ledger("budget")
	if got != 10 || total != 10 {
		t.Fatalf("budget 1050 at 100 each: %d granted, %d in ledgers", got, total)
	}
}

func TestKillSwitchSpreads(t *testing.T) {
	rev := testRevision(t, "r1", map[string]string{"c": campaignDoc(`"redemptions":1000`)})
	f := newFleet(t, 3, rev)
	if err := f.nodes[1].node.Set("c", true); err != nil {
		t.Fatal(err)
	}
	took := f.eventually(2*time.Second, "every node has c disabled", func() bool {
		for _, tn := range f.nodes {
			if !tn.eng.Disabled("c") {
				return false
			}
		}
		return true
	})
	t.Logf("disable reached every node in %v", took)
	if ok, err := f.redeem(f.nodes[2], "c", ""); ok || err != nil {
		t.Fatalf("redeemed a disabled campaign: %v %v", ok, err)
	}
	// It survives a restart of a node that heard it from another.
	f.crash(f.nodes[2])
	f.start(f.nodes[2])
	if !f.nodes[2].eng.Disabled("c") {
		t.Fatal("the switch was lost in a restart")
	}
	if err := f.nodes[0].node.Set("c", false); err != nil {
		t.Fatal(err)
	}
	f.eventually(2*time.Second, "every node has c enabled", func() bool {
		for _, tn := range f.nodes {
			if tn.eng.Disabled("c") {
				return false
			}
		}
		return true
	})
}

// TestTwoMintersAreReported: a second minter (a misconfigured fleet) is
// visible in the members and reported by Minters on every node.
func TestTwoMintersAreReported(t *testing.T) {
	f := newFleetWith(t, 3, testRevision(t, "r1", map[string]string{"a": campaignDoc(`"redemptions":10`)}), func(c *Config) {
		c.Minter = c.Name == "n1"
	})
	f.eventually(5*time.Second, "every node sees two minters", func() bool {
		for _, tn := range f.nodes {
			if ms := tn.node.Minters(); len(ms) != 2 || ms[0] != "n0" || ms[1] != "n1" {
				return false
			}
		}
		return true
	})
	for _, m := range f.nodes[2].node.Members() {
		if m.Minter != (m.Name == "n0" || m.Name == "n1") {
			t.Errorf("member %s minter=%v", m.Name, m.Minter)
		}
	}
	// A fleet configured as it should be has one.
	g := newFleet(t, 2, testRevision(t, "r1", map[string]string{"a": campaignDoc(`"redemptions":10`)}))
	g.eventually(5*time.Second, "one minter", func() bool {
		ms := g.nodes[1].node.Minters()
		return len(ms) == 1 && ms[0] == "n0"
	})
}
