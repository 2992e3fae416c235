package rego

import (
	"context"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/when"
)

// partsSources err (to_number("vip")) in the rules the batch no longer
// evaluates for their verdict: reasons of an eligible package, effects
// of an ineligible one, any other rule of the package.
var partsSources = map[string]string{
	"okbadreasons": "package promo.rules.okbadreasons\neligible := true\nreasons contains \"x\" if to_number(input.customer.tier) > 1",
	"nobadeffects": "package promo.rules.nobadeffects\neligible if input.customer.tier == \"gold\"\nreasons contains \"not gold\" if not eligible\neffects := [to_number(input.customer.tier)]",
	"okbadhelper":  "package promo.rules.okbadhelper\neligible := true\nhelper := to_number(input.customer.tier)",
	"nobadreasons": "package promo.rules.nobadreasons\neligible := false\nreasons contains \"x\" if to_number(input.customer.tier) > 1",
	"okbadcamp":    "package promo.rules.okbadcamp\neligible if input.campaign.metadata.x\nreasons contains \"x\" if to_number(input.customer.tier) > 1",
	"nocamp":       "package promo.rules.nocamp\neligible if not input.campaign.metadata.x\nreasons contains \"no x\" if not eligible\neffects := [to_number(input.customer.tier)]",
}

// TestReasonsOnlyForTheIneligible: a package whose eligible is true
// applies whatever its reasons or other rules would do; reasons are
// evaluated only for an ineligible one, whose error still rejects it.
func TestReasonsOnlyForTheIneligible(t *testing.T) {
	mods := map[string]*ast.Module{}
	for name, src := range partsSources {
		mods[name+".rego"] = ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	}
	c := ast.NewCompiler()
	if c.Compile(mods); c.Failed() {
		t.Fatal(c.Errors)
	}
	var camps []*policies.Campaign
	docs := map[string]any{}
	for name := range partsSources {
		doc := map[string]any{"rule": name, "metadata": map[string]any{"x": true}, "effects": []any{}}
		cp, err := policies.ParseCampaign("c-"+name, doc)
		if err != nil {
			t.Fatal(err)
		}
		camps, docs[cp.ID] = append(camps, cp), doc
	}
	store := inmem.NewFromObjectWithOpts(map[string]any{"promo": map[string]any{"campaigns": docs}}, inmem.OptReturnASTValuesOnRead(true))
	e, err := New(context.Background(), c, store)
	if err != nil {
		t.Fatal(err)
	}
	req, err := policies.DecodeRequest([]byte(`{"cart": {"currency": "USD", "items": []}, "customer": {"tier": "vip"}}`), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	out := make([]policies.Verdict, len(camps))
	if err := e.Decide(context.Background(), req, camps, out); err != nil {
		t.Fatal(err)
	}
	for i, cp := range camps {
		v := out[i]
		switch cp.Rule {
		case "okbadreasons", "okbadhelper", "okbadcamp":
			if !v.Eligible || v.Err != nil || v.Reasons != nil {
				t.Errorf("%s: %+v, want eligible", cp.Rule, v)
			}
		case "nobadeffects", "nocamp":
			if v.Eligible || v.Err != nil || len(v.Reasons) != 1 {
				t.Errorf("%s: %+v, want not eligible with its reason", cp.Rule, v)
			}
		case "nobadreasons":
			if v.Err == nil {
				t.Errorf("%s: %+v, want the reasons' error", cp.Rule, v)
			}
		}
	}
}

// TestGeneratedPackagesReadWhole: a package policies/when generates is
// read whole (as a plain OPA server, policy.wasm and the native evaluator
// decide it); a hand-written one alike is read by its parts.
func TestGeneratedPackagesReadWhole(t *testing.T) {
	mods := map[string]*ast.Module{}
	for _, rule := range []string{"gen", "gentz"} {
		block := map[string]any{"channel": "web"}
		if rule == "gentz" {
			block = map[string]any{"days": "mon", "timezone": "customer"}
		}
		src, errs := when.Compile(when.Campaign{ID: rule, Name: rule, Rule: rule}, block, "when")
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		mods[rule+".rego"] = ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	}
	mods["hand.rego"] = ast.MustParseModuleWithOpts("package promo.rules.hand\neligible if input.context.channel == \"web\"\nreasons contains \"web only\" if not eligible", ast.ParserOptions{RegoVersion: ast.RegoV1})
	c := ast.NewCompiler()
	if c.Compile(mods); c.Failed() {
		t.Fatal(c.Errors)
	}
	got := plan(context.Background(), c, inmem.New())
	want := map[string]reading{"gen": readWhole, "gentz": readWholeWithCampaign, "hand": readDocument}
	for rule, r := range want {
		if got[rule] != r {
			t.Errorf("%s: reading %d, want %d", rule, got[rule], r)
		}
	}
}
