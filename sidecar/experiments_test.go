package sidecar_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/sidecar/api"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

const fiveOrControl = `{"name":"Five off","variants":[
 {"name":"five","weight":50,"effects":[{"type":"amount_off","amount":500}]},
 {"name":"control","weight":50,"holdout":true}]}`

// TestExperimentCounts: exposures, customers (exact on one node),
// redemptions net of a rollback, conversion, average order, the sample
// ratio test and the interval, as GET /v1/experiments shows them; a
// restart keeps them; new weights start a new phase from zero.
func TestExperimentCounts(t *testing.T) {
	dir := t.TempDir()
	rev := writeBundle(t, dir, "r1", map[string]string{"ab": fiveOrControl})
	e := startStats(t, dir, rev)
	assigned := map[string]int64{}
	for i := range 200 {
		d := e.Evaluate(t, evalBody(fmt.Sprint("u", i), 2000))
		e.Evaluate(t, evalBody(fmt.Sprint("u", i), 3000)) // twice: one customer, two exposures
		switch {
		case len(d.Applied) == 1 && d.Applied[0].Variant == "five" && d.Discount == 500:
			assigned["five"]++
		case len(d.Rejected) == 1 && d.Rejected[0].Reason == "holdout" && d.Rejected[0].Variant == "control" && d.Discount == 0:
			assigned["control"]++
		default:
			t.Fatalf("u%d: %+v", i, d)
		}
	}
	var ids []string
	redeemers := map[string]int64{}
	env := &redeemEnv{Sidecar: e.Sidecar}
	for i := range 20 {
		_, r, out := env.redeem(t, redeemBody(fmt.Sprint("o", i), fmt.Sprint("k", i), fmt.Sprint("u", i), 2000))
		if r.RedemptionID == "" {
			t.Fatalf("redeem: %s", out)
		}
		ids = append(ids, r.RedemptionID)
		if appliedTo(r, "ab") {
			redeemers["five"]++
		} else {
			redeemers["control"]++
		}
	}
	if status, out := e.Do(t, "POST", "/v1/redemptions/"+ids[0]+"/rollback", nil); status != 200 {
		t.Fatalf("rollback: %s", out)
	}
	check := func(x api.Experiment) {
		t.Helper()
		if x.Campaign != "ab" || x.Phase == "" || x.PhaseStartedAt == "" || !x.CustomersExact || len(x.Variants) != 2 {
			t.Fatalf("experiment %+v", x)
		}
		var redemptions int64
		for _, v := range x.Variants {
			if v.Customers != assigned[v.Name] || v.Exposures != 2*assigned[v.Name] || v.Redeemers != redeemers[v.Name] {
				t.Fatalf("%s: %+v, assigned %v, redeemers %v", v.Name, v, assigned, redeemers)
			}
			if want := float64(v.Redeemers) / float64(v.Customers); math.Abs(v.Conversion-want) > 1e-12 {
				t.Fatalf("%s: conversion %v, want %v", v.Name, v.Conversion, want)
			}
			if v.Redemptions > 0 && v.AverageOrder != v.Revenue/v.Redemptions {
				t.Fatalf("%s: average order %d", v.Name, v.AverageOrder)
			}
			redemptions += v.Redemptions
		}
		if redemptions != 19 {
			t.Fatalf("redemptions net of the rollback: %d", redemptions)
		}
		five, control := x.Variants[0], x.Variants[1]
		if five.Discount != 500*five.Redemptions || control.Discount != 0 || control.Revenue != 2000*control.Redemptions {
			t.Fatalf("discounts and revenue: %+v %+v", five, control)
		}
		ci := control.ConversionDiffCI
		if five.ConversionDiffCI != nil || ci == nil || ci[0] >= ci[1] || math.Abs((ci[0]+ci[1])/2-(control.Conversion-five.Conversion)) > 1e-9 {
			t.Fatalf("intervals: %v %v", five.ConversionDiffCI, ci)
		}
		if x.SampleRatioPValue <= 0.001 || x.SampleRatioMismatch {
			t.Fatalf("a 50/50 hash split flagged: %v (%v)", x.SampleRatioPValue, assigned)
		}
	}
	x := getJSON[api.Experiment](t, e.Sidecar, "/v1/experiments/ab")
	check(x)
	e = e.restart(t, rev)
	if again := getJSON[api.Experiment](t, e.Sidecar, "/v1/experiments/ab"); again.PhaseStartedAt != x.PhaseStartedAt {
		t.Fatalf("the restart moved the phase's start: %s, %s", x.PhaseStartedAt, again.PhaseStartedAt)
	} else {
		check(again)
	}
	// New weights: a new phase, counted from zero.
	rev2 := writeBundle(t, dir, "r2", map[string]string{"ab": strings.Replace(strings.Replace(fiveOrControl, `"weight":50`, `"weight":90`, 1), `"weight":50`, `"weight":10`, 1)})
	e.engine.Swap(rev2)
	y := getJSON[api.Experiment](t, e.Sidecar, "/v1/experiments/ab")
	if y.Phase == x.Phase || y.PhaseStartedAt != "" || y.Variants[0].Weight != 90 || y.Variants[0].Customers != 0 || y.Variants[1].Exposures != 0 {
		t.Fatalf("new phase: %+v", y)
	}
	for i := range 10 {
		e.Evaluate(t, evalBody(fmt.Sprint("u", i), 2000))
	}
	y = getJSON[api.Experiment](t, e.Sidecar, "/v1/experiments/ab")
	if y.Variants[0].Exposures+y.Variants[1].Exposures != 10 || y.PhaseStartedAt < x.PhaseStartedAt {
		t.Fatalf("the new phase's counts: %+v", y)
	}
	// The campaign view shows the variants and the phase.
	c := getJSON[api.Campaign](t, e.Sidecar, "/v1/campaigns/ab")
	if c.Phase != y.Phase || len(c.Variants) != 2 || c.Variants[0].Name != "five" || c.Variants[1].Holdout != true || len(c.Variants[0].Effects) != 1 {
		t.Fatalf("campaign view: %+v", c)
	}
}

// TestBadExperimentBundleChangesNothing: a bundle whose experiment is
// wrong is refused with the file, line and field of each problem, and the
// active bundle stays.
func TestBadExperimentBundleChangesNothing(t *testing.T) {
	good := "name: A/B\ncode: AB\nvariants:\n  - {name: a, weight: 50, effects: [{type: free_shipping}]}\n  - {name: b, weight: 50, holdout: true}\n"
	stack := sidecartest.ExampleStack(t, "good", map[string]string{"promo/campaigns/ab/data.yaml": good})
	s := sidecartest.StartDeps(t, stack.Deps, adminToken)
	for _, c := range []struct{ doc, says string }{
		{strings.Replace(good, "weight: 50, holdout", "weight: 40, holdout", 1),
			"promo/campaigns/ab/data.yaml:3: campaigns.ab.variants: the weights must sum to 100, they sum to 90"},
		{strings.Replace(good, "name: b", "name: a", 1), "promo/campaigns/ab/data.yaml:5: campaigns.ab.variants[1].name: variant "},
		{strings.Replace(good, "weight: 50, holdout", "weight: 0, holdout", 1), "campaigns.ab.variants[1].weight"},
		{"effects: [{type: free_shipping}]\n" + good, "campaigns.ab.effects: a campaign with variants has its effects on each variant"},
	} {
		tarball := sidecartest.ExampleTarballWith(t, "bad", map[string]string{"promo/campaigns/ab/data.yaml": c.doc})
		status, out := s.DoAs(t, adminToken, "PUT", "/v1/bundles", tarball)
		if status != 400 || !strings.Contains(string(out), c.says) {
			t.Errorf("PUT a bad experiment: %d %s, want 400 ...%s...", status, out, c.says)
		}
	}
	st := getJSON[map[string]any](t, s, "/v1/bundles")
	if active, _ := st["active"].(map[string]any); active == nil || active["revision"] != "good" {
		t.Fatalf("the active bundle changed: %v", st)
	}
	if x := getJSON[api.Experiment](t, s, "/v1/experiments/ab"); len(x.Variants) != 2 || x.Variants[0].Weight != 50 {
		t.Fatalf("the experiment changed: %+v", x)
	}
}
