package when_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/when"
)

// TestExpandDir: every layout of campaign documents is rewritten in its own
// file and format, and the expanded bundle loads with the same rules as
// the source.
func TestExpandDir(t *testing.T) {
	src := t.TempDir()
	for name, content := range map[string]string{
		".manifest":                        `{"revision": "x"}`,
		"promo/campaigns/solo/data.yaml":   "when: {channel: web}\neffects: [{type: free_shipping}]\n",
		"promo/campaigns/data.json":        `{"a": {"when": {"store": "s1"}, "effects": [{"type": "free_shipping"}]}, "b": {"rule": "vip", "effects": [{"type": "free_shipping"}]}}`,
		"promo/rules/vip.rego":             "package promo.rules.vip\n\ndefault eligible := false\n\neligible if input.customer.tier == \"vip\"\n",
		"promo/campaigns/vip/data.yaml":    "when: {customer: {tier: gold}}\neffects: [{type: free_shipping}]\n",
		"promo/campaigns/solo/x_test.yaml": "cases: []\n",
	} {
		p := filepath.Join(src, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	want, err := bundle.LoadPath(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "out")
	rules, err := when.ExpandDir(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 3 || rules["solo"] != "solo" || rules["a"] != "a" || rules["vip"] != "vip_2" {
		t.Errorf("rules %v", rules)
	}
	got, err := bundle.LoadPath(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range want.Campaigns() {
		g, err := got.Campaign(c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if g.Rule != c.Rule || g.When != nil {
			t.Errorf("%s: expanded rule %q (when %v), loaded source %q", c.ID, g.Rule, g.When, c.Rule)
		}
	}
	for _, f := range []string{"promo/rules/solo.rego", "promo/rules/a.rego", "promo/rules/vip_2.rego", "promo/campaigns/solo/x_test.yaml"} {
		if _, err := os.Stat(filepath.Join(dst, f)); err != nil {
			t.Error(err)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dst, "promo/campaigns/data.json"))
	if raw[0] != '{' {
		t.Errorf("data.json is no longer JSON: %s", raw)
	}
}
