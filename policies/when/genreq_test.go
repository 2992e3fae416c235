package when_test

import (
	"encoding/json"
	"fmt"
	"time"
)

// request is a random evaluate request body: a few lines, a customer who
// may be anonymous or lack any field (or have it null, or empty), a time.
func (g *gen) request() []byte {
	lines := make([]any, 1+g.r.IntN(5))
	for i := range lines {
		it := map[string]any{"id": fmt.Sprintf("l%d", i), "quantity": 1 + g.r.IntN(4), "unit_price": 100 + g.r.IntN(5000)}
		if g.chance(0.9) {
			it["sku"] = skus[g.r.IntN(len(skus))]
		}
		if g.chance(0.8) {
			it["categories"] = []string{cats[g.r.IntN(len(cats))], cats[g.r.IntN(len(cats))]}
		}
		if g.chance(0.5) {
			it["attributes"] = map[string]any{"brand": g.pick("acme", "zeta", "other"), "size": g.pick(42, 42.5, "42", true)}
		}
		lines[i] = it
	}
	doc := map[string]any{
		"cart":    map[string]any{"currency": g.pick("USD", "EUR"), "items": lines},
		"context": g.context(),
	}
	switch g.r.IntN(6) {
	case 0:
	case 1:
		doc["customer"] = nil
	default:
		doc["customer"] = g.buyer()
	}
	body, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return body
}

func (g *gen) context() map[string]any {
	m := map[string]any{}
	base := time.Date(2024+g.r.IntN(3), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), 0, 0, 0, 0, time.UTC)
	now := base.Add(time.Duration(g.r.IntN(24*60)) * time.Minute)
	if g.chance(0.01) {
		now = time.Date(2262, 4, 11, 23, 0, 0, 0, time.UTC) // past OPA's range by the end of the day
	}
	m["now"] = now.Format(g.pick(time.RFC3339, time.RFC3339Nano).(string))
	if g.chance(0.8) {
		m["channel"] = g.pick(channels[0], channels[1], channels[2], nil)
	}
	if g.chance(0.6) {
		m["store_id"] = g.pick(stores[0], stores[1], "")
	}
	return m
}

// buyer is a customer with some of the fields conditions read.
func (g *gen) buyer() map[string]any {
	m := map[string]any{}
	sets := map[string]func() any{
		"id":       func() any { return g.pick("u1", "", nil) },
		"tier":     func() any { return g.pick(tiers[0], tiers[1], tiers[2], nil) },
		"segments": func() any { return g.pick([]any{"seg1", "newsletter"}, []any{"staff"}, []any{}, nil) },
		"country":  func() any { return g.pick(places[0], places[1], places[2], nil) },
		"attributes": func() any {
			return g.pick(map[string]any{"opted_in": true, "level": 3}, map[string]any{"level": "3"}, nil)
		},
		"orders_count":  func() any { return g.pick(0, 1, 3, 7, nil) },
		"last_order_at": func() any { return g.past(true) },
		"created_at":    func() any { return g.past(true) },
		"birthday":      func() any { return g.birthday() },
		"timezone":      func() any { return g.pick(zones[0], zones[1], zones[2], zones[4], "", nil) },
	}
	for k, f := range sets {
		if g.chance(0.6) {
			m[k] = f()
		}
	}
	return m
}

// past is an RFC 3339 time of the last few years, rarely an odd one.
func (g *gen) past(odd bool) any {
	if odd && g.chance(0.04) {
		return g.pick("", nil, "1600-01-01T00:00:00Z", "2030-01-01T00:00:00+02:00")
	}
	t := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.r.Int64N(int64(5 * 365 * 24 * time.Hour))))
	return t.Format(time.RFC3339)
}

func (g *gen) birthday() any {
	if g.chance(0.05) {
		return g.pick("", nil, "1600-03-01", "2000-02-29")
	}
	return fmt.Sprintf("%04d-%02d-%02d", 1950+g.r.IntN(60), 1+g.r.IntN(12), 1+g.r.IntN(28))
}
