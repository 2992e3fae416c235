package pricetest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/pricetest"
)

func TestParseRefusesBadFiles(t *testing.T) {
	for _, tc := range []struct{ name, src, says string }{
		{"typo", "cases:\n  - name: a\n    wnat: {total: 1}\n", `t.yaml:3: unknown field "wnat"; did you mean "want"?`},
		{"two cases of a name", "cases:\n  - name: a\n  - name: a\n", `t.yaml:3: two cases are named "a"`},
		{"no cases", "defaults: {}\n", "no cases"},
		{"bad rejection", "cases:\n  - want: {rejected: {x: {reson: rule}}}\n", `unknown field "reson"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := pricetest.Parse("t.yaml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("Parse = %v, want an error saying %q", err, tc.says)
			}
		})
	}
}

// A case without context.now fails rather than price on the clock; the
// defaults of one case never leak into another.
func TestRunNeedsNowAndKeepsCasesApart(t *testing.T) {
	rev, err := bundle.LoadPath(context.Background(), "../../examples/default")
	if err != nil {
		t.Fatal(err)
	}
	f, err := pricetest.Parse("t.yaml", []byte(`
defaults:
  cart: {currency: USD, items: [{id: l1, sku: LAMP, quantity: 1, unit_price: 10050}]}
cases:
  - name: no clock
    want: {total: 10050}
  - name: vip
    context: {now: "2026-11-24T12:00:00Z"}
    customer: {id: u1, tier: vip}
    want: {points: {loyalty-points: 100, loyalty-vip-2x: 100}, not_applied: [premium-30]}
  - name: same cart, anonymous
    context: {now: "2026-11-24T12:00:00Z"}
    want:
      applied: {loyalty-points: 0}
`))
	if err != nil {
		t.Fatal(err)
	}
	rs := pricetest.Run(context.Background(), rev, []*pricetest.File{f}, nil)
	if len(rs) != 3 {
		t.Fatalf("%d results", len(rs))
	}
	if rs[0].Passed() || !strings.Contains(rs[0].String(), "context.now is required") || rs[0].Line != 5 {
		t.Errorf("no clock: %v", rs[0])
	}
	if !rs[1].Passed() {
		t.Errorf("vip: %v", rs[1])
	}
	if rs[2].Passed() || !strings.Contains(rs[2].String(), "applied: loyalty-points is missing") {
		t.Errorf("anonymous: %v", rs[2])
	}
}
