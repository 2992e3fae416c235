package bundletest

import (
	"encoding/json"
	"fmt"
	"path/filepath"
)

// WriteCatalog writes the catalog workload of scripts/gen-catalog.py to
// dir: n campaigns as a marketer writes them, each with a when: block of
// its own aimed at one of 40 segments (about 5% can apply to the cart),
// half automatic, 40% behind a code, 10% out of schedule (allAuto: every
// one automatic). It returns the evaluate request body (the same 20-line
// cart and customer as the script's evaluate.json).
func WriteCatalog(dir string, n int, allAuto bool) ([]byte, error) {
	files := map[string]any{".manifest": map[string]any{"revision": "catalog-1", "roots": []string{"promo"}}}
	for i := range n {
		files[fmt.Sprintf("promo/campaigns/c%04d/data.json", i)] = catalogCampaign(i, allAuto)
	}
	for name, v := range files {
		if err := writeFile(filepath.Join(dir, name), v); err != nil {
			return nil, err
		}
	}
	return CatalogRequest(), nil
}

var (
	tiers     = []string{"vip", "premium", "basic", "advanced"}
	countries = []string{"IE", "DE", "RO", "FR", "US", "GB"}
	dayLists  = [][]string{{"sat", "sun"}, {"weekdays"}, {"mon", "tue", "wed"}, {"thu", "fri"}}
	zoneNames = []string{"Europe/Dublin", "Europe/Berlin", "Europe/Bucharest", "America/New_York", "UTC"}
)

type obj = map[string]any

func seg(k int) string { return fmt.Sprintf("seg%d", k%200) }

// conditions are campaign i's own conditions: one of ten kinds.
func conditions(i int) obj {
	tier, country := tiers[i%4], countries[i%6]
	switch i % 10 {
	case 0:
		return obj{"cart": obj{"subtotal": obj{"over": 5000 + i*7}}, "customer": obj{"tier": tier}}
	case 1:
		return obj{"items": obj{"categories": []string{fmt.Sprintf("cat%d", i%40)}, "quantity": obj{"at_least": 1 + i%3}},
			"customer": obj{"segments": []string{seg(i), seg(i * 3)}}}
	case 2:
		return obj{"customer": obj{"country": country, "orders": obj{"at_least": i % 12}}, "cart": obj{"items": obj{"at_least": 2 + i%9}}}
	case 3:
		return obj{"customer": obj{"days_since_last_order": obj{"over": 30 + i%300}}, "cart": obj{"subtotal": obj{"at_least": 2000 + i*11}}}
	case 4:
		return obj{"days": dayLists[i%4], "hours": obj{"from": fmt.Sprintf("%02d:00", 6+i%10), "until": "23:00"},
			"timezone": zoneNames[i%5], "cart": obj{"subtotal": obj{"over": 1000 + i}}}
	case 5:
		return obj{"any": []any{obj{"customer": obj{"tier": tier}}, obj{"customer": obj{"segments": []string{seg(i)}}},
			obj{"cart": obj{"subtotal": obj{"over": 90000 + i}}}}}
	case 6:
		return obj{"items": obj{"attributes": obj{"brand": fmt.Sprintf("brand%d", i%25)}, "subtotal": obj{"at_least": 1000 + i}},
			"not": obj{"customer": obj{"segments": []string{"staff"}}}}
	case 7:
		channels := []string{"app", "pos"}
		if i%2 == 0 {
			channels = []string{"web", "pos"}
		}
		return obj{"channel": channels, "store": []string{fmt.Sprintf("store-%d", i%30), "berlin-1"}, "customer": obj{"signed_in": true}}
	case 8:
		return obj{"customer": obj{"days_since_sign_up": obj{"at_least": 10 + i%700}, "tier": []string{tier, tiers[(i+1)%4]}},
			"items": obj{"min_unit_price": 500 + i%3000}}
	}
	return obj{"all": []any{obj{"cart": obj{"items": obj{"at_least": 1 + i%15}}},
		obj{"customer": obj{"country": []string{country, countries[(i+2)%6]}}},
		obj{"not": obj{"items": obj{"skus": []string{fmt.Sprintf("SKU%dX", i%20)}}}}}}
}

func catalogCampaign(i int, allAuto bool) obj {
	when := []any{obj{"customer": obj{"segments": []string{fmt.Sprintf("seg%d", (i/10)%40)}}}, conditions(i)}
	doc := obj{"name": fmt.Sprintf("campaign %d", i), "priority": i % 100, "currency": "USD", "when": when,
		"effects": []any{obj{"type": "percent_off", "percent": 1 + i%10, "scope": "cart"}}}
	if allAuto {
		return doc
	}
	switch i % 10 {
	case 1, 3, 5, 7:
		doc["code"] = fmt.Sprintf("CODE%04d", i)
	case 9:
		doc["valid_from"], doc["valid_until"] = "2020-01-01T00:00:00", "2020-02-01T00:00:00"
	}
	return doc
}

// CatalogRequest is the catalog workload's evaluate request.
func CatalogRequest() []byte {
	items := make([]any, 20)
	for j := range items {
		items[j] = obj{"id": fmt.Sprintf("l%d", j), "sku": fmt.Sprintf("SKU%d", j),
			"categories": []string{fmt.Sprintf("cat%d", j%40), fmt.Sprintf("cat%d", (j*7)%40)},
			"quantity":   1 + j%3, "unit_price": 500 + j*137, "attributes": obj{"brand": fmt.Sprintf("brand%d", j%25)}}
	}
	body, err := json.Marshal(obj{
		"cart": obj{"id": "perf", "currency": "USD", "items": items, "shipping": obj{"method": "standard", "amount": 599}},
		"customer": obj{"id": "u1", "tier": "vip", "segments": []string{"seg3", "seg17", "newsletter"}, "country": "IE",
			"orders_count": 7, "last_order_at": "2026-06-01T10:00:00Z", "created_at": "2024-01-01T00:00:00Z", "timezone": "Europe/Dublin"},
		"context": obj{"now": "2026-11-24T12:00:00Z", "channel": "web", "store_id": "berlin-1"},
	})
	if err != nil {
		panic(err) // plain maps always marshal
	}
	return body
}
