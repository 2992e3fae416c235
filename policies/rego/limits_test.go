package rego_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/rego"
)

// runaway is a bundle of one rule that builds a 30-million-element array
// (seconds and gigabytes without a bound) beside one quick rule.
func runaway() fstest.MapFS {
	return fstest.MapFS{
		"promo/campaigns/slow/data.json":  {Data: []byte(`{"rule": "slow", "effects": [{"type": "free_shipping"}]}`)},
		"promo/campaigns/quick/data.json": {Data: []byte(`{"rule": "quick", "effects": [{"type": "percent_off", "percent": 10}]}`)},
		"promo/rules/slow.rego":           {Data: []byte("package promo.rules.slow\n\neligible if count(numbers.range(1, 30000000)) > 0\n")},
		"promo/rules/quick.rego":          {Data: []byte("package promo.rules.quick\n\neligible if input.cart.currency == \"USD\"\n")},
	}
}

// TestRuleLimitsStopARunawayRule: the runaway rule is stopped by the
// deadline, or by the allocation bound well before a long deadline; its
// campaign is rejected with error and the quick one still applies.
func TestRuleLimitsStopARunawayRule(t *testing.T) {
	for _, tc := range []struct {
		name   string
		limits rego.Limits
		want   string
	}{
		{"deadline", rego.Limits{Deadline: 50 * time.Millisecond, MaxAlloc: 1 << 40}, "deadline"},
		{"allocation", rego.Limits{Deadline: time.Minute, MaxAlloc: 32 << 20}, "allocated past its bound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "runaway", RuleLimits: tc.limits}, runaway())
			if err != nil {
				t.Fatal(err)
			}
			eng := policies.NewEngine(policies.Config{})
			eng.Swap(rev)
			req, err := eng.Decode([]byte(`{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 1, "unit_price": 1000}]}}`))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			dec, err := eng.Evaluate(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			if len(dec.Applied) != 1 || dec.Applied[0].Campaign != "quick" || len(dec.Rejected) != 1 ||
				dec.Rejected[0].Reason != policies.RuleError || !strings.Contains(strings.Join(dec.Rejected[0].Details, " "), tc.want) {
				t.Fatalf("applied %+v, rejected %+v", dec.Applied, dec.Rejected)
			}
			if took > 10*time.Second {
				t.Errorf("the runaway rule ran %v", took)
			}
			t.Logf("stopped after %v: %v", took, dec.Rejected[0].Details)
		})
	}
}

// TestRuleDeadlineStopsPolicyWasm: the same bound holds for rules compiled
// into the bundle's policy.wasm (OPA's wasm engine stops at the deadline).
func TestRuleDeadlineStopsPolicyWasm(t *testing.T) {
	dir := t.TempDir()
	for name, f := range runaway() {
		write(t, dir+"/"+name, string(f.Data))
	}
	write(t, dir+"/promo/rules/slow.rego", "package promo.rules.slow\n\neligible if count([1 | some x in numbers.range(1, 3000); some y in numbers.range(1, 3000); x != y]) > 0\n")
	rev, err := bundle.LoadTarball(context.Background(), bundle.Config{Source: "wasm", RuleLimits: rego.Limits{Deadline: 50 * time.Millisecond}}, bytes.NewReader(buildWasm(t, dir)))
	if err != nil {
		t.Fatal(err)
	}
	eng := policies.NewEngine(policies.Config{})
	eng.Swap(rev)
	req, _ := eng.Decode([]byte(`{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 1, "unit_price": 1000}]}}`))
	start := time.Now()
	dec, err := eng.Evaluate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(dec.Rejected) != 1 || dec.Rejected[0].Reason != policies.RuleError || !strings.Contains(strings.Join(dec.Rejected[0].Details, " "), "deadline") {
		t.Fatalf("applied %+v, rejected %+v after %v", dec.Applied, dec.Rejected, time.Since(start))
	}
	if !strings.Contains(dec.Rejected[0].Details[0], "policy.wasm") {
		t.Errorf("not stopped in policy.wasm: %v", dec.Rejected[0].Details)
	}
	t.Logf("stopped after %v: %v", time.Since(start), dec.Rejected[0].Details)
}
