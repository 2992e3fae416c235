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
