package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies/stats"
)

// TestStatsFleetSums: three real memberlist nodes each add to their own
// rows; every node comes to show the fleet's sum (counters added,
// customers' sketches merged), a rollback counted apart; a node that
// crashes keeps its rows in its file and the others keep their copies.
func TestStatsFleetSums(t *testing.T) {
	f := newFleet(t, 3, testRevision(t, "r1", map[string]string{"c": campaignDoc(`"redemptions":100`)}))
	ctx := context.Background()
	day := stats.DayOf(time.Now())
	dayKey := stats.Key{Campaign: "c", Day: day}
	varKey := stats.Key{Campaign: "c", Phase: "p1", Variant: "a"}
	const perNode = 3000 // customers per node, half of them shared with the next node
	for i, tn := range f.nodes {
		var hashes []uint64
		for c := range perNode {
			hashes = append(hashes, stats.Hash(fmt.Sprint("cust-", i*perNode/2+c)))
		}
		err := tn.node.Stats().Add(ctx, []stats.Delta{
			{Key: dayKey, Counts: stats.Counts{Applied: int64(10 * (i + 1)), Redemptions: 2, Discount: 200, Revenue: 5000, Rejections: map[string]int64{"rule": 1}}},
			{Key: varKey, Counts: stats.Counts{Exposures: perNode}, Customers: hashes},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	// One rollback on n1, counted apart.
	if err := f.nodes[1].node.Stats().Add(ctx, []stats.Delta{{Key: dayKey, Counts: stats.Counts{RolledBack: 1, RolledBackDiscount: 100}}}); err != nil {
		t.Fatal(err)
	}
	distinct := float64(perNode/2*(len(f.nodes)-1) + perNode) // overlapping halves
	sums := func(tn *tnode) bool {
		days, err := tn.node.Stats().Days(ctx, "c", day, day)
		if err != nil || len(days) != 1 {
			return false
		}
		d := days[0]
		vars, err := tn.node.Stats().Variants(ctx, "c", "p1")
		if err != nil || len(vars) != 1 {
			return false
		}
		v := vars[0]
		est := stats.Distinct(v.Customers, v.CustomerSketch, v.Nodes)
		return d.Nodes == 3 && d.Applied == 60 && d.Redemptions == 6 && d.Discount == 600 && d.RolledBack == 1 &&
			d.RolledBackDiscount == 100 && d.Rejections["rule"] == 3 && v.Exposures == 3*perNode &&
			math.Abs(float64(est)-distinct)/distinct < 0.02
	}
	took := f.eventually(10*time.Second, "every node sums the fleet's rows", func() bool {
		for _, tn := range f.nodes {
			if !sums(tn) {
				return false
			}
		}
		return true
	})
	t.Logf("every node showed the fleet's sum within %v", took)

	// A crashed node's rows stay with the others; restarted, it has its own
	// from its file and gets the others' again.
	f.crash(f.nodes[2])
	if !sums(f.nodes[0]) {
		t.Fatal("n0 lost n2's rows when n2 crashed")
	}
	f.restart(f.nodes[2])
	f.eventually(10*time.Second, "the restarted node sums the fleet again", func() bool { return sums(f.nodes[2]) })
	// A later count on one node reaches the others.
	if err := f.nodes[2].node.Stats().Add(ctx, []stats.Delta{{Key: dayKey, Counts: stats.Counts{Applied: 1}}}); err != nil {
		t.Fatal(err)
	}
	f.eventually(10*time.Second, "a new count reaches every node", func() bool {
		for _, tn := range f.nodes {
			days, err := tn.node.Stats().Days(ctx, "c", day, day)
			if err != nil || len(days) != 1 || days[0].Applied != 61 {
				return false
			}
		}
		return true
	})
}

// TestStatsReceiveKeepsOnlyPeersRows: rows a peer sends that claim to be
// this node's, or that do not decode, change nothing.
func TestStatsReceiveKeepsOnlyPeersRows(t *testing.T) {
	f := newFleet(t, 1, testRevision(t, "r1", map[string]string{"c": campaignDoc(`"redemptions":100`)}))
	n0 := f.nodes[0].node
	ctx := context.Background()
	k := stats.Key{Campaign: "c", Day: 20000}
	if err := n0.Stats().Add(ctx, []stats.Delta{{Key: k, Counts: stats.Counts{Applied: 1}}}); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal([]statsRow{
		{Node: "n0", Key: k, C: stats.Counts{Applied: 1000}}, // this node's: only it writes them
		{Node: "p1", Key: k, C: stats.Counts{Applied: 5}},
		{Node: "", Key: k, C: stats.Counts{Applied: 7}},
	})
	for _, m := range []message{
		{kind: kStats, node: "p1", chunks: [][]byte{raw}},
		{kind: kStats, node: "p1", chunks: [][]byte{[]byte(`[{"node":"p2","key":`)}},
		{kind: kStats, node: "p1", chunks: [][]byte{[]byte(`[{"node":"p2","key":{"Campaign":"c","Day":20000},"c":{"customer_sketch":"zz"}}]`)}},
		{kind: kStats, node: "p1"},
	} {
		back, err := decode(m.encode(nil))
		if err != nil {
			t.Fatal(err)
		}
		n0.stats.receive(back)
	}
	rows, err := n0.Stats().Days(ctx, "c", 20000, 20000)
	if err != nil || len(rows) != 1 || rows[0].Applied != 6 || rows[0].Nodes != 2 {
		t.Fatalf("rows %+v %v", rows, err)
	}
}

// TestStatsRowsSentInChunks: rows past statsChunkBytes go in several
// messages, each a JSON list the peer keeps whole.
func TestStatsRowsSentInChunks(t *testing.T) {
	f := newFleet(t, 2, testRevision(t, "r1", map[string]string{"c": campaignDoc(`"redemptions":100`)}))
	ctx := context.Background()
	const n = 3000
	reason := strings.Repeat("r", 100) // ~150 bytes a row: n rows need two chunks
	var rows []statsRow
	size := 0
	for d := range n {
		r := statsRow{Node: "p9", Key: stats.Key{Campaign: "c", Day: stats.Day(20000 + d)}, C: stats.Counts{Applied: 1, Rejections: map[string]int64{reason: 1}}}
		raw, _ := json.Marshal(&r)
		size += len(raw)
		rows = append(rows, r)
	}
	if size <= statsChunkBytes {
		t.Fatalf("%d bytes of rows fit one chunk", size)
	}
	f.nodes[0].node.stats.sendRows("n1", rows)
	f.eventually(10*time.Second, "n1 keeps every row", func() bool {
		got, err := f.nodes[1].node.Stats().Days(ctx, "c", 20000, 20000+n-1)
		if err != nil || len(got) != n {
			return false
		}
		for _, r := range got {
			if r.Applied != 1 || r.Rejections[reason] != 1 {
				return false
			}
		}
		return true
	})
}
