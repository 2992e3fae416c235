package policies_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// TestMoneyHoldsForRandomCartsAndEffects is the property of
// docs/api.md#money over random carts and campaigns, every number drawn up
// to its bound (and sometimes past it): a campaign with a number past its
// bound is refused when its document is read; every decision keeps the
// invariants (no negative amount, every total adds up); a campaign whose
// arithmetic overflows is rejected with error, never applied.
func TestMoneyHoldsForRandomCartsAndEffects(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 2026))
	runs := 3000
	if testing.Short() {
		runs = 300
	}
	for run := range runs {
		var campaigns []*policies.Campaign
		for i := range 1 + r.IntN(4) {
			doc, outOfBounds := randomCampaign(r, i)
			c, err := policies.ParseCampaign(fmt.Sprintf("c%d", i), doc)
			if outOfBounds != (err != nil) {
				t.Fatalf("run %d: campaign %v (out of bounds: %v): %v", run, doc, outOfBounds, err)
			}
			if err == nil {
				campaigns = append(campaigns, c)
			}
		}
		rev, err := policies.NewRevision("property", "test", campaigns, nil)
		if err != nil {
			t.Fatal(err)
		}
		eng := policies.NewEngine(policies.Config{Now: func() time.Time { return clock }})
		eng.Swap(rev)
		body := randomCart(r)
		req, err := eng.Decode(body)
		if err != nil {
			t.Fatalf("run %d: %s: %v", run, body, err)
		}
		dec, err := eng.Evaluate(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, dec)
		checkNoNegative(t, dec)
		if t.Failed() {
			out, _ := json.Marshal(dec)
			t.Fatalf("run %d: cart %s, campaigns %v:\n%s", run, body, campaigns, out)
		}
	}
}

// checkNoNegative asserts what checkInvariants leaves out: points, free
// items and reductions are never negative, and an error is an overflow.
func checkNoNegative(t *testing.T, d *policies.Decision) {
	t.Helper()
	for _, p := range d.Points {
		if p.Points < 0 {
			t.Errorf("points %+v", p)
		}
	}
	for _, f := range d.FreeItems {
		if f.Quantity < 1 {
			t.Errorf("free item %+v", f)
		}
	}
	for _, a := range d.Applied {
		if a.ReducedFrom < 0 {
			t.Errorf("applied %+v", a)
		}
	}
	for _, r := range d.Rejected {
		if r.Reason == policies.RuleError && !strings.Contains(strings.Join(r.Details, " "), "overflows") {
			t.Errorf("rejected with error for another reason: %+v", r)
		}
	}
}

// bounded draws a number from min to max, log-uniformly, often an edge.
func bounded(r *rand.Rand, min, max int64) int64 {
	switch r.IntN(6) {
	case 0:
		return min
	case 1:
		return max
	}
	bits := 1 + r.IntN(63)
	n := r.Int64N(int64(1)<<(bits-1)) + int64(1)<<(bits-1) - 1
	return min + n%(max-min+1)
}

// amount draws an effect amount: within the bound, or one time in 25
// past it (outOfBounds is set).
func amount(r *rand.Rand, min, max int64, outOfBounds *bool) int64 {
	if r.IntN(25) == 0 {
		*outOfBounds = true
		return max + 1 + bounded(r, 0, 1<<62-max)
	}
	return bounded(r, min, max)
}

func randomCampaign(r *rand.Rand, i int) (map[string]any, bool) {
	var out bool
	const amt, qty = policies.MaxAmount, policies.MaxQuantity
	var eff map[string]any
	switch r.IntN(7) {
	case 0:
		eff = map[string]any{"type": "percent_off", "percent": json.Number(fmt.Sprint(r.IntN(10001) / 100)), "scope": scope(r)}
		if r.IntN(2) == 0 {
			eff["max_discount"] = amount(r, 0, amt, &out)
		}
	case 1:
		eff = map[string]any{"type": "amount_off", "amount": amount(r, 0, amt, &out), "scope": scope(r)}
	case 2:
		eff = map[string]any{"type": "fixed_price", "price": amount(r, 0, amt, &out)}
	case 3:
		eff = map[string]any{"type": "buy_x_get_y",
			"buy": map[string]any{"quantity": amount(r, 1, qty, &out)},
			"get": map[string]any{"quantity": amount(r, 1, qty, &out), "percent": json.Number(fmt.Sprint(r.IntN(101)))}}
	case 4:
		eff = map[string]any{"type": "free_shipping", "max_discount": amount(r, 0, amt, &out)}
	case 5:
		eff = map[string]any{"type": "free_item", "sku": "GIFT", "quantity": amount(r, 1, qty, &out)}
	default:
		eff = map[string]any{"type": "points", "per_amount": map[string]any{"points": amount(r, 0, amt, &out), "amount": amount(r, 1, amt, &out)}}
	}
	if r.IntN(3) == 0 {
		switch eff["type"] {
		case "percent_off", "amount_off", "fixed_price", "points":
			eff["filter"] = map[string]any{"skus": []any{"S0"}}
		case "buy_x_get_y":
			eff["get"].(map[string]any)["filter"] = map[string]any{"skus": []any{"S0"}}
		}
	}
	stacking := []string{"stackable", "stackable", "exclusive", "stop"}[r.IntN(4)]
	return map[string]any{"priority": int64(i), "stacking": stacking, "effects": []any{eff}}, out
}

func scope(r *rand.Rand) string { return []string{"cart", "items"}[r.IntN(2)] }

// randomCart is an evaluate body of 1 to 5 lines, each within the bounds.
func randomCart(r *rand.Rand) []byte {
	var items []string
	for i := range 1 + r.IntN(5) {
		q := bounded(r, 1, policies.MaxQuantity)
		p := bounded(r, 0, policies.MaxAmount/q)
		items = append(items, fmt.Sprintf(`{"id": "l%d", "sku": "S%d", "quantity": %d, "unit_price": %d}`, i, r.IntN(2), q, p))
	}
	return fmt.Appendf(nil, `{"cart": {"currency": "USD", "items": [%s], "shipping": {"amount": %d}}}`,
		strings.Join(items, ", "), bounded(r, 0, policies.MaxAmount))
}

// computedRules returns the effects of a campaign's "effects" field as a
// rule that builds them from the cart would: the first line's member
// price as an amount off each unit.
type computedRules struct{}

func (computedRules) Decide(_ context.Context, req *policies.Request, cs []*policies.Campaign, out []policies.Verdict) error {
	price := req.Cart.Items[0].Attributes["member_price"]
	effs, problems := policies.ParseEffects("effects", []any{map[string]any{"type": "amount_off", "scope": "items", "amount": price}})
	for i := range cs {
		out[i] = policies.Verdict{Eligible: true, Effects: effs}
		if len(problems) > 0 {
			out[i].Err = problems[0]
		}
	}
	return nil
}

// TestRuleComputedOverflowIsError: an effect a rule computes from the cart
// is rejected with error when a number is past its bound, or when its
// product with the cart's quantities overflows; the cart is priced
// without it.
func TestRuleComputedOverflowIsError(t *testing.T) {
	c, err := policies.ParseCampaign("member", map[string]any{"rule": "member", "effects": []any{}})
	if err != nil {
		t.Fatal(err)
	}
	rev, err := policies.NewRevision("r", "test", []*policies.Campaign{c}, computedRules{})
	if err != nil {
		t.Fatal(err)
	}
	eng := policies.NewEngine(policies.Config{Now: func() time.Time { return clock }})
	eng.Swap(rev)
	for _, tc := range []struct{ quantity, price, member int64 }{
		{2, 1 << 40, 1 << 62},       // past the bound: refused as read
		{1 << 20, 1 << 30, 1 << 50}, // within it, but 2^70 off the line
	} {
		body := fmt.Sprintf(`{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": %d, "unit_price": %d, "attributes": {"member_price": %d}}]}}`, tc.quantity, tc.price, tc.member)
		req, err := eng.Decode([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		dec, err := eng.Evaluate(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if len(dec.Applied) != 0 || len(dec.Rejected) != 1 || dec.Rejected[0].Reason != policies.RuleError || dec.Total != tc.quantity*tc.price {
			out, _ := json.Marshal(dec)
			t.Errorf("member price %d on %d units: %s", tc.member, tc.quantity, out)
		}
	}
}
