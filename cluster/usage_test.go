package cluster

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"
)

// TestPerCustomerAcrossNodes measures the per_customer guarantee: exact on
// one node, at most nodes × per_customer across the fleet (README).
func TestPerCustomerAcrossNodes(t *testing.T) {
	rev := testRevision(t, "r1", map[string]string{"once": campaignDoc(`"per_customer":1,"redemptions":100`)})
	f := newFleet(t, 3, rev)
	same := 0
	for range 5 {
		if ok, _ := f.redeem(f.nodes[0], "once", "alice"); ok {
			same++
		}
	}
	across := 0
	for range 3 {
		for _, tn := range f.nodes {
			if ok, _ := f.redeem(tn, "once", "bob"); ok {
				across++
			}
		}
	}
	t.Logf("per_customer 1: alice on one node got %d; bob on 3 nodes got %d", same, across)
	if same != 1 {
		t.Fatalf("per_customer on one node: %d uses, want 1", same)
	}
	if across < 1 || across > 3 {
		t.Fatalf("per_customer across 3 nodes: %d uses, want 1..3", across)
	}
}

// TestUsageConverges measures how long every node takes to report a
// redemption made on another, with 3 and 5 nodes.
func TestUsageConverges(t *testing.T) {
	for _, size := range []int{3, 5} {
		t.Run(fmt.Sprint(size, "nodes"), func(t *testing.T) {
			rev := testRevision(t, "r1", map[string]string{"c": campaignDoc(`"redemptions":1000`)})
			f := newFleet(t, size, rev)
			var times []time.Duration
			for i := range 10 {
				src := f.nodes[i%size]
				if ok, err := f.redeem(src, "c", ""); !ok || err != nil {
					t.Fatalf("redeem: %v %v", ok, err)
				}
				want := int64(i + 1)
				times = append(times, f.eventually(5*time.Second, fmt.Sprint("usage ", want, " everywhere"), func() bool {
					for _, tn := range f.nodes {
						if u, _ := tn.node.usage.Used(context.Background(), "c", ""); u.Redemptions != want {
							return false
						}
					}
					return true
				}))
			}
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			t.Logf("%d nodes: usage on every node after p50 %v, max %v (publish %v, gossip %v)",
				size, times[len(times)/2], times[len(times)-1], FastConfig("").PublishInterval, FastConfig("").Memberlist.GossipInterval)
		})
	}
}

func TestRevisionInMetadata(t *testing.T) {
	rev := testRevision(t, "r1", map[string]string{"c": campaignDoc(`"redemptions":10`)})
	f := newFleet(t, 3, rev)
	rev2 := testRevision(t, "r2", map[string]string{"c": campaignDoc(`"redemptions":25`)})
	for _, tn := range f.nodes {
		tn.eng.Swap(rev2)
	}
	took := f.eventually(2*time.Second, "every node sees r2 on every member", func() bool {
		for _, tn := range f.nodes {
			for _, m := range tn.node.Members() {
				if m.Revision != "r2" || m.State != "alive" {
					return false
				}
			}
		}
		return true
	})
	t.Logf("revision in every node's view after %v", took)
	// The raised limit is minted once: 15 more.
	f.eventually(2*time.Second, "minted 25", func() bool {
		c, _ := f.nodes[0].node.Minted("c")
		return c == 25
	})
	got := f.redeemAll("c", spread(40, 3))
	if total, _ := f.ledger("c"); got != 25 || total != 25 {
		t.Fatalf("raised limit 25: %d granted, %d in ledgers", got, total)
	}
}

// TestGossipRelayed: with the link between n0 and n2 cut (memberlist keeps
// both alive through indirect probes via n1) and push/pull too slow to
// help, n2 learns n0's usage and kill switch only because n1 queues what is
// new to it again: memberlist itself never relays user broadcasts.
func TestGossipRelayed(t *testing.T) {
	rev := testRevision(t, "r1", map[string]string{"c": campaignDoc(`"redemptions":100`)})
	f := newFleetWith(t, 3, rev, func(c *Config) { c.Memberlist.PushPullInterval = time.Hour })
	f.net.cut(f.nodes[0].port, f.nodes[2].port)
	for range 3 {
		if ok, err := f.redeem(f.nodes[0], "c", ""); !ok || err != nil {
			t.Fatalf("redeem: %v %v", ok, err)
		}
	}
	took := f.eventually(2*time.Second, "n2 sees n0's usage through n1", func() bool {
		u, _ := f.nodes[2].node.usage.Used(context.Background(), "c", "")
		return u.Redemptions == 3
	})
	if err := f.nodes[0].node.Set("c", true); err != nil {
		t.Fatal(err)
	}
	took2 := f.eventually(2*time.Second, "n2 has the switch", func() bool { return f.nodes[2].eng.Disabled("c") })
	t.Logf("over a relay: usage after %v, kill switch after %v; n2 still sees %d members", took, took2, f.nodes[2].node.ml.NumMembers())
}
