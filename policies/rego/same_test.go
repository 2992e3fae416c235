package rego

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/promoedge/promoedge/policies"
)

var sameSources = map[string]string{
	"a":        "package promo.rules.a\neligible if { some it in input.cart.items; \"x\" in it.categories }\nreasons contains \"no x\" if not eligible",
	"b":        "package promo.rules.b\neligible if { some line in input.cart.items; \"x\" in line.categories }\nreasons contains \"no x\" if not data.promo.rules.b.eligible",
	"c":        "package promo.rules.c\neligible if { some it in input.cart.items; \"y\" in it.categories }\nreasons contains \"no x\" if not eligible",
	"d":        "package promo.rules.d\neligible if { some it in input.cart.items; \"x\" in it.categories }\nreasons contains \"no x\" if not eligible",
	"only1":    "package promo.rules.only1\neligible if input.customer.tier == \"vip\"",
	"only2":    "package promo.rules.only2\neligible if input.customer.tier == \"vip\"",
	"camp1":    "package promo.rules.camp1\neligible if input.campaign.metadata.x",
	"camp2":    "package promo.rules.camp2\neligible if input.campaign.metadata.x",
	"meta1":    "package promo.rules.meta1\neligible if count(rego.metadata.chain()) > 0",
	"meta2":    "package promo.rules.meta2\neligible if count(rego.metadata.chain()) > 0",
	"bad1":     "package promo.rules.bad1\neligible if to_number(input.customer.tier) > 1",
	"bad2":     "package promo.rules.bad2\neligible if to_number(input.customer.tier) > 1",
	"shared.x": "package promo.rules.x\neligible := true",
}

func sameCompiler(t *testing.T) *ast.Compiler {
	t.Helper()
	mods := map[string]*ast.Module{}
	for name, src := range sameSources {
		mods[name+".rego"] = ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	}
	c := ast.NewCompiler()
	if c.Compile(mods); c.Failed() {
		t.Fatal(c.Errors)
	}
	return c
}

func TestSameRules(t *testing.T) {
	c := sameCompiler(t)
	got := sameRules(c, plan(context.Background(), c, inmem.New()))
	want := map[string]string{"b": "a", "d": "a", "only2": "only1", "bad2": "bad1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestSameRulesAnswerAlike decides every campaign with and without the
// copies evaluated once, on inputs where the rules pass, fail and err.
func TestSameRulesAnswerAlike(t *testing.T) {
	c := sameCompiler(t)
	var camps []*policies.Campaign
	docs := map[string]any{}
	for name := range sameSources {
		if name == "shared.x" {
			name = "x"
		}
		id := "c-" + name
		doc := map[string]any{"rule": name, "metadata": map[string]any{"x": true}, "effects": []any{}}
		cp, err := policies.ParseCampaign(id, doc)
		if err != nil {
			t.Fatal(err)
		}
		camps = append(camps, cp)
		docs[id] = doc
	}
	store := inmem.NewFromObjectWithOpts(map[string]any{"promo": map[string]any{"campaigns": docs}}, inmem.OptReturnASTValuesOnRead(true))
	e, err := New(context.Background(), c, store)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 1, "unit_price": 1, "categories": ["x"]}]}, "customer": {"tier": "vip"}}`,
		`{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 1, "unit_price": 1, "categories": ["y"]}]}, "customer": {"tier": "7"}}`,
	} {
		req, err := policies.DecodeRequest([]byte(body), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		shared := make([]policies.Verdict, len(camps))
		if err := e.Decide(context.Background(), req, camps, shared); err != nil {
			t.Fatal(err)
		}
		for i, cp := range camps {
			alone := make([]policies.Verdict, 1)
			in, _ := ast.InterfaceToValue(req.Input)
			if err := e.decide(context.Background(), in.(ast.Object), camps[i:i+1], alone, false); err != nil {
				alone[0] = policies.Verdict{Err: err}
			}
			if fmt.Sprint(alone[0]) != fmt.Sprint(shared[i]) {
				t.Errorf("%s on %s:\nalone  %+v\nshared %+v", cp.ID, body, alone[0], shared[i])
			}
		}
	}
}
