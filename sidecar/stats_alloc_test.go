package sidecar

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/stats"
)

// TestCountingAllocatesNothing: counting an answer for the statistics,
// an experiment's exposure included, allocates nothing once the table
// knows the revision (and a customer's hash set has room).
func TestCountingAllocatesNothing(t *testing.T) {
	doc := map[string]any{"variants": []any{
		map[string]any{"name": "a", "weight": jsonNum(50), "effects": []any{map[string]any{"type": "amount_off", "amount": jsonNum(100)}}},
		map[string]any{"name": "b", "weight": jsonNum(50), "holdout": true},
	}}
	c, err := policies.ParseCampaign("ab", doc)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := policies.ParseCampaign("plain", map[string]any{"effects": []any{map[string]any{"type": "free_shipping"}}})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := policies.NewRevision("r", "test", []*policies.Campaign{c, plain}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var tab campaignTable
	tab.init()
	decs := []*policies.Decision{
		{Applied: []policies.Applied{{Campaign: "ab", Variant: "a", Amount: 100}}, Rejected: []policies.Rejection{{Campaign: "plain", Reason: policies.RuleFailed}}},
		{Rejected: []policies.Rejection{{Campaign: "ab", Variant: "b", Reason: policies.Holdout}, {Campaign: "plain", Reason: policies.Disabled}}},
	}
	subjects := make([]string, 64)
	for i := range subjects {
		subjects[i] = fmt.Sprint("u", i)
	}
	for i, s := range subjects { // the table learns the revision; the sets grow
		tab.count(rev, opEvaluate, decs[i%2], s)
	}
	i := 0
	if n := testing.AllocsPerRun(1000, func() {
		tab.count(rev, opEvaluate, decs[i%2], subjects[i%len(subjects)])
		i++
	}); n != 0 {
		t.Fatalf("%v allocations per count", n)
	}
	tab.flushMu.Lock()
	deltas := tab.collect(stats.DayOf(time.Now()))
	tab.flushMu.Unlock()
	var exposures int64
	for _, d := range deltas {
		exposures += d.Exposures
	}
	if want := int64(len(subjects) + i); exposures != want { // AllocsPerRun runs once more to warm up
		t.Fatalf("exposures %d, want %d", exposures, want)
	}
}

func jsonNum(n int) json.Number { return json.Number(fmt.Sprint(n)) }

// TestRetiredPhaseFlushed: exposures counted in a phase that a new
// revision replaces before the next flush are still flushed, under
// their campaign and old phase.
func TestRetiredPhaseFlushed(t *testing.T) {
	revision := func(id string, weightA int) (*policies.Revision, string) {
		t.Helper()
		c, err := policies.ParseCampaign("ab", map[string]any{"variants": []any{
			map[string]any{"name": "a", "weight": jsonNum(weightA), "effects": []any{map[string]any{"type": "free_shipping"}}},
			map[string]any{"name": "b", "weight": jsonNum(100 - weightA), "holdout": true},
		}})
		if err != nil {
			t.Fatal(err)
		}
		rev, err := policies.NewRevision(id, "test", []*policies.Campaign{c}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return rev, c.Phase
	}
	r1, p1 := revision("r1", 50)
	r2, p2 := revision("r2", 90)
	if p1 == p2 {
		t.Fatalf("new weights kept the phase %q", p1)
	}
	var tab campaignTable
	tab.init()
	exposed := &policies.Decision{Applied: []policies.Applied{{Campaign: "ab", Variant: "a", Amount: 1}}}
	for _, s := range []string{"u1", "u2", "u3"} {
		tab.count(r1, opEvaluate, exposed, s)
	}
	tab.count(r2, opEvaluate, exposed, "u4") // r1's phase retired before any flush
	tab.flushMu.Lock()
	deltas := tab.collect(stats.DayOf(time.Now()))
	tab.flushMu.Unlock()
	got := map[string]int64{}
	for _, d := range deltas {
		if d.Variant != "" {
			got[d.Campaign+"/"+d.Phase+"/"+d.Variant] += d.Exposures
		}
	}
	want := map[string]int64{"ab/" + p1 + "/a": 3, "ab/" + p2 + "/a": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("exposures flushed %v, want %v", got, want)
	}
}
