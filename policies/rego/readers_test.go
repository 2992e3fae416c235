package rego

import (
	"context"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

func TestCampaignReaders(t *testing.T) {
	mods := map[string]string{
		"plain":    "package promo.rules.plain\neligible if input.customer.tier == \"vip\"",
		"direct":   "package promo.rules.direct\neligible if input.campaign.metadata.x == 1",
		"bare":     "package promo.rules.bare\neligible if count(input) > 0",
		"dynamic":  "package promo.rules.dynamic\neligible if { some k; input[k] == 1 }",
		"indirect": "package promo.rules.indirect\nimport data.lib\neligible if lib.country == \"IE\"",
		"lib":      "package lib\ncountry := input.campaign.metadata.country",
		"function": "package promo.rules.function\neligible if f(1)\nf(x) if input.campaign.y == x",
		"else":     "package promo.rules.else\neligible := false if input.cart.id == \"\" else := true if input.campaign.x",
		"nested":   "package promo.rules.nested\neligible if input.cart.items[input.campaign.i]",
		"keyonly":  "package promo.rules.keyonly\neligible if input.cart[\"id\"] == \"x\"",
	}
	parsed := map[string]*ast.Module{}
	for name, src := range mods {
		parsed[name] = ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	}
	c := ast.NewCompiler()
	if c.Compile(parsed); c.Failed() {
		t.Fatal(c.Errors)
	}
	got := campaignReaders(c)
	want := map[string]bool{
		"plain": false, "keyonly": false,
		"direct": true, "bare": true, "dynamic": true, "indirect": true, "function": true, "else": true, "nested": true,
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s reads input.campaign: got %v, want %v", name, got[name], w)
		}
	}
}

func TestPlan(t *testing.T) {
	mods := map[string]string{
		"only":     "package promo.rules.only\ndefault eligible := false\neligible if input.customer.tier == \"vip\"",
		"reasons":  "package promo.rules.reasons\neligible if input.x\nreasons contains \"no x\" if not input.x",
		"helper":   "package promo.rules.helper\neligible if big\nbig if input.x > 3",
		"sub":      "package promo.rules.sub\neligible if input.x",
		"sub.deep": "package promo.rules.sub.deep\neligible if input.y",
		"campaign": "package promo.rules.campaign\neligible if input.campaign.x",
	}
	parsed := map[string]*ast.Module{}
	for name, src := range mods {
		parsed[name] = ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	}
	c := ast.NewCompiler()
	if c.Compile(parsed); c.Failed() {
		t.Fatal(c.Errors)
	}
	got := plan(context.Background(), c, inmem.New())
	want := map[string]reading{"only": readEligible, "reasons": readDocument, "helper": readDocument, "sub": readDocument, "campaign": readWithCampaign}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: got %v, want %v", name, got[name], w)
		}
	}
	withData := inmem.NewFromObject(map[string]any{"promo": map[string]any{"rules": map[string]any{"only": map[string]any{"x": 1}}}})
	if r := plan(context.Background(), c, withData)["only"]; r != readDocument {
		t.Errorf("a package with base data under it: got %v, want the whole document", r)
	}
}
