package policies_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/stats"
)

const abDoc = `{"variants":[
 {"name":"ten","weight":45,"effects":[{"type":"percent_off","percent":10}]},
 {"name":"fifteen","weight":45,"effects":[{"type":"percent_off","percent":15}]},
 {"name":"control","weight":10,"holdout":true}]}`

func abEngine(t testing.TB, doc string) *policies.Engine {
	t.Helper()
	c, err := policies.ParseCampaign("ab", decodeDoc(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	rev, err := policies.NewRevision("r", "test", []*policies.Campaign{c}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := policies.NewEngine(policies.Config{})
	e.Swap(rev)
	return e
}

// variantOf prices a cart of 100.00 for customer (the cart id when "")
// and returns the variant, and the discount.
func variantOf(t testing.TB, e *policies.Engine, customer, cart string) (string, int64) {
	t.Helper()
	cust := ""
	if customer != "" {
		cust = fmt.Sprintf(`,"customer":{"id":%q}`, customer)
	}
	req, err := e.Decode([]byte(fmt.Sprintf(`{"cart":{"id":%q,"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":10000}]}%s}`, cart, cust)))
	if err != nil {
		t.Fatal(err)
	}
	dec, err := e.Evaluate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range dec.Applied {
		return a.Variant, dec.Discount
	}
	for _, r := range dec.Rejected {
		if r.Reason == policies.Holdout && r.Campaign == "ab" {
			return r.Variant, dec.Discount
		}
		t.Fatalf("rejected %+v", r)
	}
	t.Fatal("neither applied nor rejected")
	return "", 0
}

// TestVariantSharesFollowWeights assigns 100,000 customers and checks
// their split against the weights with the chi-square test the experiment
// endpoint reports (the hash is fixed: the outcome is deterministic).
func TestVariantSharesFollowWeights(t *testing.T) {
	c, err := policies.ParseCampaign("ab", decodeDoc(t, abDoc))
	if err != nil {
		t.Fatal(err)
	}
	counts := make([]int64, len(c.Variants))
	for i := range 100_000 {
		counts[c.Assign(fmt.Sprint("customer-", i))]++
	}
	p := stats.SampleRatioPValue(counts, []float64{45, 45, 10})
	if p < 0.01 {
		t.Fatalf("split %v against 45/45/10: p = %v", counts, p)
	}
	t.Logf("split %v, p = %.3f", counts, p)
}

func TestVariantIsStickyAndPriced(t *testing.T) {
	// Two engines loaded apart are two nodes, or one before and after a
	// restart: no state decides the variant.
	a, b := abEngine(t, abDoc), abEngine(t, abDoc)
	discounts := map[string]int64{"ten": 1000, "fifteen": 1500, "control": 0}
	seen := map[string]int{}
	for i := range 300 {
		cust := fmt.Sprint("u", i)
		va, da := variantOf(t, a, cust, "cart-a")
		vb, _ := variantOf(t, b, cust, "cart-b") // another cart: the customer decides
		va2, _ := variantOf(t, a, cust, "cart-c")
		if va != vb || va != va2 {
			t.Fatalf("customer %s: %s, %s, %s", cust, va, vb, va2)
		}
		if da != discounts[va] {
			t.Fatalf("variant %s gave %d", va, da)
		}
		seen[va]++
	}
	if len(seen) != 3 {
		t.Fatalf("variants seen: %v", seen)
	}
	// Anonymous: the cart id decides.
	v1, _ := variantOf(t, a, "", "anon-1")
	if v2, _ := variantOf(t, b, "", "anon-1"); v1 != v2 {
		t.Fatalf("anonymous cart: %s then %s", v1, v2)
	}
}

func TestPhaseChangesWithTheVariantsOnly(t *testing.T) {
	parse := func(doc string) *policies.Campaign {
		c, err := policies.ParseCampaign("ab", decodeDoc(t, doc))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	base := parse(abDoc)
	renamed := parse(strings.Replace(abDoc, `{"variants"`, `{"name":"Renamed","priority":3,"variants"`, 1))
	reweighted := parse(strings.Replace(strings.Replace(abDoc, `"weight":45,"effects":[{"type":"percent_off","percent":10`, `"weight":40,"effects":[{"type":"percent_off","percent":10`, 1), `"weight":10`, `"weight":15`, 1))
	reeffected := parse(strings.Replace(abDoc, `"percent":15`, `"percent":20`, 1))
	if base.Phase == "" || renamed.Phase != base.Phase {
		t.Fatalf("name and priority changed the phase: %q %q", base.Phase, renamed.Phase)
	}
	if reweighted.Phase == base.Phase || reeffected.Phase == base.Phase || reweighted.Phase == reeffected.Phase {
		t.Fatalf("phases %q %q %q", base.Phase, reweighted.Phase, reeffected.Phase)
	}
	// A new phase draws again: some customers change variant.
	moved := 0
	for i := range 1000 {
		if base.Assign(fmt.Sprint(i)) != reweighted.Assign(fmt.Sprint(i)) {
			moved++
		}
	}
	if moved == 0 {
		t.Fatal("a new phase kept every customer's variant")
	}
}

func TestVariantsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, doc, field, says string
	}{
		{"weights not summing", `{"variants":[{"name":"a","weight":50,"effects":[{"type":"free_shipping"}]},{"name":"b","weight":40,"holdout":true}]}`,
			"variants", "sum to 100, they sum to 90"},
		{"zero weight", `{"variants":[{"name":"a","weight":100,"effects":[{"type":"free_shipping"}]},{"name":"b","weight":0,"holdout":true}]}`,
			"variants[1].weight", "at least 1"},
		{"negative weight", `{"variants":[{"name":"a","weight":110,"effects":[{"type":"free_shipping"}]},{"name":"b","weight":-10,"holdout":true}]}`,
			"variants[1].weight", "at least 1"},
		{"duplicate names", `{"variants":[{"name":"a","weight":50,"effects":[{"type":"free_shipping"}]},{"name":"a","weight":50,"holdout":true}]}`,
			"variants[1].name", "named twice"},
		{"effects beside variants", `{"effects":[{"type":"free_shipping"}],"variants":[{"name":"a","weight":50,"effects":[{"type":"free_shipping"}]},{"name":"b","weight":50,"holdout":true}]}`,
			"effects", "on each variant"},
		{"holdout with effects", `{"variants":[{"name":"a","weight":50,"effects":[{"type":"free_shipping"}]},{"name":"b","weight":50,"holdout":true,"effects":[{"type":"free_shipping"}]}]}`,
			"variants[1].effects", "gets nothing"},
		{"one variant", `{"variants":[{"name":"a","weight":100,"effects":[{"type":"free_shipping"}]}]}`, "variants", "at least two"},
		{"no name", `{"variants":[{"weight":50,"effects":[{"type":"free_shipping"}]},{"name":"b","weight":50,"holdout":true}]}`,
			"variants[0].name", "is required"},
		{"typo", `{"variants":[{"name":"a","weight":50,"efects":[]},{"name":"b","weight":50,"holdout":true}]}`,
			"variants[0].effects", "is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policies.ParseCampaign("ab", decodeDoc(t, tc.doc))
			var ce *policies.CampaignError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseCampaign = %v", err)
			}
			for _, p := range ce.Problems {
				if p.Field == tc.field && strings.Contains(p.Message, tc.says) {
					return
				}
			}
			t.Errorf("problems %v, want %s: ...%s...", err, tc.field, tc.says)
		})
	}
}
