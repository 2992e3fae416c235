package bundle_test

import (
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/promoedge/promoedge/policies/bundle"
)

func tree(t testing.TB, src string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

func TestFieldLine(t *testing.T) {
	const doc = "name: x\nwhen:\n  any:\n    - customer: {tier: vip}\n    - cart:\n        subtotal: {over: 5}\neffects:\n  - type: percent_off\n    percent: 120\n"
	for _, tc := range []struct {
		dir, field string
		line       int
	}{
		{"promo/campaigns/x", "campaigns.x.name", 1},
		{"promo/campaigns/x", "campaigns.x.when.any[0].customer.tier", 4},
		{"promo/campaigns/x", "campaigns.x.when.any[1].cart.subtotal.over", 6},
		{"promo/campaigns/x", "campaigns.x.effects[0].percent", 9},
		{"promo/campaigns/x", "campaigns.x.effects[0].max_discount", 8}, // missing: its object
		{"promo/campaigns/x", "campaigns.x.effects[3]", 8},              // no such element: the list
		{"promo/campaigns/x", "campaigns.x", 1},
		{"promo/campaigns/x", "elsewhere.y", 1},
	} {
		if got := bundle.FieldLine(tree(t, doc), tc.dir, tc.field); got != tc.line {
			t.Errorf("FieldLine(%s, %s) = %d, want %d", tc.dir, tc.field, got, tc.line)
		}
	}
	if got := bundle.FieldLine(nil, ".", "campaigns.x"); got != 0 {
		t.Errorf("no tree: line %d", got)
	}
}

// FuzzFieldLine: any data file and any field path give a line without a
// panic.
func FuzzFieldLine(f *testing.F) {
	f.Add("a:\n  b: [1, {c: 2}]\n", "promo", "campaigns.a.b[1].c")
	f.Add("{\"x\": {\"y.z\": 1}}", ".", "x.y.z")
	f.Add("- &a {b: *a}\n", "promo/campaigns", "campaigns.[0].b.b[")
	f.Fuzz(func(t *testing.T, src, dir, field string) {
		bundle.FieldLine(tree(t, src), dir, field)
	})
}
