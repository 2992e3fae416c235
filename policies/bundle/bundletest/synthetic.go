package bundletest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Mix is how a synthetic bundle's campaigns are made.
type Mix int

// Mixes, as scripts/gen-bundle.py makes them.
const (
	// Mixed: of every 20 campaigns, 18 need a code the request does not
	// present, 1 is out of schedule and 1 is automatic.
	Mixed Mix = iota
	// AllAuto: every campaign is automatic and runs its rule (the worst
	// case, scripts/gen-bundle.py --all-auto).
	AllAuto
	// AllAutoDistinct is AllAuto with every rule made unlike the others by
	// a condition that always holds (input.cart.id != "not-<i>"): no two
	// packages read the same, so none is evaluated in another's place.
	// Not in scripts/gen-bundle.py.
	AllAutoDistinct
	// MixedDistinct is Mixed with the rules made unlike one another as in
	// AllAutoDistinct (scripts/gen-bundle.py gives Mixed's automatic campaigns one
	// and the same rule).
	MixedDistinct
)

func (m Mix) String() string {
	return [...]string{"mixed", "all-auto", "all-auto-distinct", "mixed-distinct"}[m]
}

func (m Mix) distinct() bool { return m == AllAutoDistinct || m == MixedDistinct }

// Write writes a bundle of n campaigns to dir (a bundle directory with a
// .manifest, campaign documents and one Rego package per campaign), the
// same files scripts/gen-bundle.py writes, and returns the evaluate request body
// that goes with it: a 20-line cart, two categories a line, quantities 1–3.
func Write(dir string, n int, mix Mix) ([]byte, error) {
	files := map[string]any{".manifest": map[string]any{"revision": "perf-1", "roots": []string{"promo"}}}
	for i := range n {
		rule := fmt.Sprintf("r%04d", i)
		body := ruleBody(i)
		if mix.distinct() {
			body = strings.Replace(body, "eligible if {", fmt.Sprintf("eligible if { input.cart.id != \"not-%d\";", i), 1)
		}
		files["promo/rules/"+rule+".rego"] = fmt.Sprintf("package promo.rules.%s\n\n%s\n", rule, body)
		files[fmt.Sprintf("promo/campaigns/c%04d/data.json", i)] = campaign(i, rule, mix)
	}
	for name, v := range files {
		if err := writeFile(filepath.Join(dir, name), v); err != nil {
			return nil, err
		}
	}
	return RequestBody(), nil
}

// ruleBody is campaign i's rule: a subtotal threshold, a category present,
// a customer tier or an item count, in turn.
func ruleBody(i int) string {
	switch i % 4 {
	case 0:
		return fmt.Sprintf("eligible if { sum([p | some it in input.cart.items; p := it.quantity * it.unit_price]) >= %d }", 5000+(i%50)*100)
	case 1:
		return fmt.Sprintf("eligible if { some it in input.cart.items; \"cat%d\" in it.categories }", i%40)
	case 2:
		return fmt.Sprintf("eligible if { input.customer.tier == %q }", []string{"vip", "premium", "basic"}[i%3])
	default:
		return fmt.Sprintf("eligible if { sum([it.quantity | some it in input.cart.items]) >= %d }", 2+i%20)
	}
}

func campaign(i int, rule string, mix Mix) map[string]any {
	c := map[string]any{
		"name": fmt.Sprintf("campaign %d", i), "priority": i % 100, "rule": rule,
		"effects": []any{map[string]any{"type": "percent_off", "percent": 5 + i%10, "scope": "cart"}},
	}
	if mix == AllAuto || mix == AllAutoDistinct {
		return c
	}
	switch i % 20 {
	case 18:
		c["valid_from"], c["valid_until"] = "2020-01-01T00:00:00", "2020-02-01T00:00:00"
	case 19:
	default:
		c["code"] = fmt.Sprintf("CODE%04d", i)
	}
	return c
}

// RequestBody is the evaluate request of the workload, the JSON that
// scripts/gen-bundle.py writes to evaluate.json.
func RequestBody() []byte {
	items := make([]any, 20)
	for j := range items {
		items[j] = map[string]any{
			"id": fmt.Sprintf("l%d", j), "sku": fmt.Sprintf("SKU%d", j),
			"categories": []string{fmt.Sprintf("cat%d", j%40), fmt.Sprintf("cat%d", (j*7)%40)},
			"quantity":   1 + j%3, "unit_price": 500 + j*137,
		}
	}
	body, err := json.Marshal(map[string]any{
		"cart": map[string]any{"id": "perf", "currency": "USD", "items": items,
			"shipping": map[string]any{"method": "standard", "amount": 599}},
		"customer": map[string]any{"id": "u1", "tier": "vip", "segments": []string{"a"}},
		"context":  map[string]any{"now": "2026-11-24T12:00:00Z", "channel": "web"},
	})
	if err != nil {
		panic(err) // plain maps always marshal
	}
	return body
}

func writeFile(name string, v any) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	data, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		data = string(b)
	}
	return os.WriteFile(name, []byte(data), 0o644)
}
