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

// An exhaustive file's wants are the whole story; a plain file's are not.
// Wants take lists (the whole list, in order) as well as mappings, and a
// case's usage reaches the limits.
func TestExhaustiveListsAndUsage(t *testing.T) {
	const head = `
bundle:
  campaigns:
    ten: {limits: {redemptions: 5}, effects: [{type: amount_off, amount: 100}]}
defaults:
  cart: {currency: USD, items: [{id: l1, sku: A, quantity: 1, unit_price: 1000}]}
  context: {now: "2026-11-24T12:00:00Z"}
`
	for _, tc := range []struct {
		name, file string
		fails      []string // what the failures say, in order; none: it passes
	}{
		{"plain: what is left out is not checked", "cases: [{name: a, want: {total: 900}}]", nil},
		{"exhaustive: what is left out is 0 or empty", "exhaustive: true\ncases: [{name: a, want: {total: 900}}]",
			[]string{"discount = 100, want 0", "applied:\n got: [{\"campaign\":\"ten\",\"effect\":\"amount_off\",\"amount\":100}]\nwant: []"}},
		{"exhaustive and complete", "exhaustive: true\ncases: [{name: a, want: {total: 900, discount: 100, applied: [{campaign: ten, effect: amount_off, amount: 100}]}}]", nil},
		{"a list compares lines only when given", "cases: [{name: a, want: {applied: [{campaign: ten, effect: amount_off, amount: 100, lines: [{id: l1, amount: 99}]}]}}]",
			[]string{"applied:\n got: [{\"campaign\":\"ten\",\"effect\":\"amount_off\",\"amount\":100,\"lines\":[{\"id\":\"l1\",\"amount\":100}]}]\nwant: [{\"campaign\":\"ten\",\"effect\":\"amount_off\",\"amount\":100,\"lines\":[{\"id\":\"l1\",\"amount\":99}]}]"}},
		{"usage reaches the limits", "cases: [{name: a, usage: {ten: {redemptions: 5}}, want: {total: 1000, rejected: {ten: limit_exhausted}}}]", nil},
		{"a rejection list", "cases: [{name: a, usage: {ten: {redemptions: 5}}, want: {rejected: [{campaign: ten, reason: limit_exhausted}], points: [], free_items: []}}]", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := pricetest.Parse("t.yaml", []byte(head+tc.file))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			if err := f.Bundle.WriteDir(dir, "r1"); err != nil {
				t.Fatal(err)
			}
			rev, err := bundle.LoadPath(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			rs := pricetest.Run(context.Background(), rev, []*pricetest.File{f}, nil)
			if len(rs) != 1 || rs[0].Decision == nil || strings.Join(rs[0].Failures, "|") != strings.Join(tc.fails, "|") {
				t.Errorf("got %v, want failures %q", rs, tc.fails)
			}
		})
	}
}

func TestExhaustiveNeedsTotal(t *testing.T) {
	_, err := pricetest.Parse("t.yaml", []byte("exhaustive: true\ncases: [{name: a, want: {discount: 1}}]\n"))
	if err == nil || !strings.Contains(err.Error(), `t.yaml:2: case "a" must state want.total`) {
		t.Errorf("Parse = %v", err)
	}
}
