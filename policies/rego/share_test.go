package rego

import (
	"context"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	opa "github.com/open-policy-agent/opa/v1/rego"
)

const subtotal = `sum([p | some it in input.cart.items; p := it.quantity * it.unit_price])`

func parse(t *testing.T, srcs map[string]string) map[string]*ast.Module {
	t.Helper()
	out := map[string]*ast.Module{}
	for name, src := range srcs {
		out[name] = ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	}
	return out
}

func TestShareTakesOutCommonComprehensions(t *testing.T) {
	mods := parse(t, map[string]string{
		"a.rego": "package promo.rules.a\neligible if " + subtotal + " >= 100",
		"b.rego": "package promo.rules.b\neligible if " + subtotal + " >= 200\nreasons contains \"x\" if " + subtotal + " < 200",
		"c.rego": "package promo.rules.c\nsub := " + subtotal + "\neligible if sub > 300",
	})
	shared := Share(mods)
	m, ok := shared["promoedge/shared.rego"]
	if !ok || len(m.Rules) != 1 {
		t.Fatalf("want one shared rule, got %v", m)
	}
	for name, m := range shared {
		if name != "promoedge/shared.rego" && strings.Contains(m.String(), "some it in") {
			t.Errorf("%s still holds the comprehension:\n%s", name, m)
		}
		if orig, ok := mods[name]; ok && !strings.Contains(orig.String(), "input.cart.items") {
			t.Errorf("%s: Share changed the original module", name)
		}
	}
}

func TestShareKeepsWhatRulesCapture(t *testing.T) {
	for name, body := range map[string]string{
		"captured var":     "eligible if { some x in input.xs; count([y | some y in input.ys; y > x]) > 0 }",
		"function arg":     "f(x) := count([y | some y in input.ys; y > x])\neligible if f(1) > 0",
		"package rule":     "limit := 3\neligible if count([y | some y in input.ys; y > limit]) > 0",
		"package function": "big(y) if y > 3\neligible if count([y | some y in input.ys; big(y)]) > 0",
		"import alias":     "import input.ys as items\neligible if count([y | some y in items; y > 3]) > 0",
		"shadowed builtin": "eligible if count([y | some y in input.ys; upper(y) == \"A\"]) > 0\nupper(a) := a",
	} {
		t.Run(name, func(t *testing.T) {
			src := "package promo.rules.%s\n" + body
			mods := parse(t, map[string]string{
				"a.rego": strings.Replace(src, "%s", "a", 1),
				"b.rego": strings.Replace(src, "%s", "b", 1),
			})
			if shared := Share(mods); len(shared) != len(mods) {
				t.Errorf("shared a comprehension that reads its rule:\n%s", shared["promoedge/shared.rego"])
			}
		})
	}
}

// TestShareAnswersAlike evaluates rules with and without Share on inputs
// that make the comprehensions succeed, come out empty and fail.
func TestShareAnswersAlike(t *testing.T) {
	srcs := map[string]string{
		"a.rego":   "package promo.rules.a\neligible if " + subtotal + " >= 100\nreasons contains sprintf(\"%d\", [" + subtotal + "]) if not eligible",
		"b.rego":   "package promo.rules.b\neligible if { count({c | some it in input.cart.items; some c in it.categories}) > 1; " + subtotal + " > 0 }",
		"c.rego":   "package promo.rules.c\neligible if count({c | some it in input.cart.items; some c in it.categories}) > 2",
		"d.rego":   "package promo.rules.d\neligible if { some it in input.cart.items; it.quantity > count([x | some x in input.cart.items]) }",
		"e.rego":   "package promo.rules.e\neligible if count([x | some x in input.cart.items]) == 2 with input.cart.items as [1, 2]",
		"lib.rego": "package lib\nn := count([x | some x in input.cart.items])\nm := count([x | some x in input.cart.items])",
		"f.rego":   "package promo.rules.f\neligible if { some x in [y | some y in input.cart.items]; x.quantity > 1 }",
		"g.rego":   "package promo.rules.g\neligible if { some x in [y | some y in input.cart.items]; x.quantity > 5 }",
	}
	inputs := []string{
		`{"cart": {"items": [{"quantity": 2, "unit_price": 100, "categories": ["a", "b"]}, {"quantity": 1, "unit_price": 5, "categories": ["a"]}]}}`,
		`{"cart": {"items": []}}`,
		`{"cart": {"items": [{"quantity": "two", "unit_price": 100, "categories": ["a"]}]}}`,
		`{}`,
	}
	eval := func(mods map[string]*ast.Module, input string) string {
		c := ast.NewCompiler()
		if c.Compile(mods); c.Failed() {
			t.Fatal(c.Errors)
		}
		rs, err := opa.New(opa.Query("x := data.promo.rules; y := data.lib"), opa.Compiler(c), opa.StrictBuiltinErrors(true),
			opa.ParsedInput(ast.MustParseTerm(input).Value)).Eval(context.Background())
		if err != nil {
			return "error: " + err.Error()
		}
		return ast.MustInterfaceToValue(rs[0].Bindings).String()
	}
	for _, in := range inputs {
		mods := parse(t, srcs)
		shared := Share(mods)
		if len(shared) == len(mods) {
			t.Fatal("nothing shared")
		}
		if want, got := eval(parse(t, srcs), in), eval(shared, in); got != want {
			t.Errorf("input %s:\nwithout Share %s\nwith Share    %s", in, want, got)
		}
	}
}
