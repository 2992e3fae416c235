package store

import (
	"context"
	"testing"

	"github.com/promoedge/promoedge/policies/stats"
)

func TestStatsRowsAddMergeAndSum(t *testing.T) {
	st, err := Open(DefaultConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	day := stats.Key{Campaign: "c", Day: 20000}
	arm := stats.Key{Campaign: "c", Phase: "p", Variant: "a"}
	// The same customer in two flushes is one customer.
	for range 2 {
		err := st.Add(ctx, []stats.Delta{
			{Key: day, Counts: stats.Counts{Applied: 2, Rejections: map[string]int64{"rule": 1}}},
			{Key: arm, Counts: stats.Counts{Exposures: 1}, Customers: []uint64{stats.Hash("u1"), stats.Hash("u2")}},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	own, err := st.Own([]stats.Key{day, arm})
	if err != nil || own[0].Applied != 4 || own[0].Rejections["rule"] != 2 || own[1].Customers != 2 || own[1].Exposures != 2 || own[1].Started == 0 {
		t.Fatalf("own rows %+v %v", own, err)
	}
	// A peer's copies merge by max: an older copy after a newer one
	// changes nothing.
	newer := stats.Row{Key: day, Counts: stats.Counts{Applied: 10}}
	older := stats.Row{Key: day, Counts: stats.Counts{Applied: 7}}
	for _, r := range []stats.Row{newer, older} {
		if err := st.MergeStats("n2", []stats.Row{r}); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := st.Days(ctx, "c", 20000, 20000)
	if err != nil || len(rows) != 1 || rows[0].Applied != 14 || rows[0].Nodes != 2 {
		t.Fatalf("fleet rows %+v %v", rows, err)
	}
	if rows, _ := st.Days(ctx, "", 20001, 20010); len(rows) != 0 {
		t.Fatalf("outside the range: %+v", rows)
	}
	if vs, _ := st.Variants(ctx, "c", "p"); len(vs) != 1 || vs[0].Customers != 2 || vs[0].Nodes != 1 {
		t.Fatalf("variants %+v", vs)
	}
	if err := st.MergeStats("", []stats.Row{newer}); err == nil {
		t.Fatal("merged rows of a node with no name")
	}
}

func TestStatsKeysRoundTrip(t *testing.T) {
	for _, k := range []stats.Key{{Campaign: "c", Day: 20000}, {Campaign: "a-b", Day: -3}, {Campaign: "x", Phase: "ff01", Variant: "control"}} {
		for _, node := range []string{"", "n1"} {
			got, n, err := parseStatsKey(statsKey(k, node))
			if err != nil || got != k || n != node {
				t.Fatalf("%+v %q: %+v %q %v", k, node, got, n, err)
			}
		}
	}
	if _, _, err := parseStatsKey([]byte("no-nul")); err == nil {
		t.Fatal("parsed a malformed key")
	}
}
