package when_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
)

// gen draws when: blocks and requests from small vocabularies, so that
// conditions hold about as often as they fail.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

func (g *gen) pick(xs ...any) any { return xs[g.r.IntN(len(xs))] }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// names is one name or a list of one to three of vocab.
func (g *gen) names(vocab ...string) any {
	if g.chance(0.4) {
		return vocab[g.r.IntN(len(vocab))]
	}
	n := 1 + g.r.IntN(3)
	out := make([]any, n)
	for i := range out {
		out[i] = vocab[g.r.IntN(len(vocab))]
	}
	return out
}

func num(n int) json.Number { return json.Number(fmt.Sprint(n)) }

// compare is a number (exactly) or one or two comparisons around scale.
func (g *gen) compare(scale int) any {
	if g.chance(0.15) {
		return num(g.r.IntN(scale))
	}
	ops := []string{"over", "at_least", "under", "at_most", "exactly"}
	m := map[string]any{}
	for range 1 + g.r.IntN(2) {
		m[ops[g.r.IntN(len(ops))]] = num(g.r.IntN(scale))
	}
	return m
}

var (
	skus     = []string{"A", "B", "C", "SHOE-1"}
	cats     = []string{"socks", "hats", "shoes", "sale"}
	tiers    = []string{"vip", "gold", "basic"}
	segs     = []string{"staff", "newsletter", "seg1", "seg2"}
	places   = []string{"IE", "DE", "US"}
	channels = []string{"web", "app", "pos"}
	stores   = []string{"berlin-1", "dublin-1"}
	zones    = []string{"Europe/Dublin", "America/New_York", "Asia/Tokyo", "UTC", "Pacific/Kiritimati"}
	dayNames = []string{"mon", "Tuesday", "wed", "thu", "fri", "sat", "sun", "weekend", "weekdays"}
)

// kinds is the number of kinds of conditions condition draws from.
const kinds = 11

// condition is one kind of condition, at random, as a block's key and
// value; depth bounds the nesting of any, all and not.
func (g *gen) condition(depth int) (string, any) { return g.conditionOf(g.r.IntN(kinds), depth) }

// conditionOf is a condition of kind k: 0 cart, 1-2 items, 3-4 customer,
// 5 channel, 6 store, 7 days, 8 hours, 9-10 any, all or not.
func (g *gen) conditionOf(k, depth int) (string, any) {
	switch {
	case k == 0:
		m := map[string]any{}
		if g.chance(0.7) {
			m["subtotal"] = g.compare(20000)
		}
		if len(m) == 0 || g.chance(0.3) {
			m["items"] = g.compare(12)
		}
		return "cart", m
	case k <= 2:
		if g.chance(0.3) {
			return "items", []any{g.items(), g.items()}
		}
		return "items", g.items()
	case k <= 4:
		return "customer", g.customer()
	case k == 5:
		return "channel", g.names(channels...)
	case k == 6:
		return "store", g.names(stores...)
	case k == 7:
		return "days", g.names(dayNames...)
	case k == 8:
		from, until := g.r.IntN(24), g.r.IntN(25)
		if from == until {
			until = (until + 1) % 25
		}
		return "hours", map[string]any{"from": fmt.Sprintf("%02d:%02d", from, 30*g.r.IntN(2)), "until": fmt.Sprintf("%02d:00", until)}
	}
	if depth <= 0 {
		return "channel", g.names(channels...)
	}
	switch g.r.IntN(3) {
	case 0:
		return "not", g.block(depth - 1)
	case 1:
		return "any", []any{g.block(depth - 1), g.block(depth - 1)}
	}
	return "all", []any{g.block(depth - 1), g.block(depth - 1)}
}

func (g *gen) items() map[string]any {
	m := map[string]any{}
	if g.chance(0.4) {
		m["skus"] = g.names(skus...)
	}
	if g.chance(0.6) {
		m["categories"] = g.names(cats...)
	}
	if g.chance(0.3) {
		m["attributes"] = map[string]any{"brand": g.pick("acme", "zeta", []any{"acme", "zeta"}), "size": g.pick(num(42), json.Number("42.0"), "42", true)}
	}
	if g.chance(0.2) {
		m["min_unit_price"] = num(g.r.IntN(3000))
	}
	if g.chance(0.5) {
		m["quantity"] = g.compare(6)
	}
	if g.chance(0.3) {
		m["subtotal"] = g.compare(10000)
	}
	return m
}

func (g *gen) customer() map[string]any {
	m := map[string]any{}
	adds := []func(){
		func() { m["signed_in"] = g.chance(0.6) },
		func() { m["tier"] = g.names(tiers...) },
		func() { m["segments"] = g.names(segs...) },
		func() { m["country"] = g.names(places...) },
		func() {
			m["attributes"] = map[string]any{"opted_in": g.pick(true, false, "yes"), "level": g.pick(num(3), json.Number("3.0"), num(4))}
		},
		func() { m["orders"] = g.compare(8) },
		func() { m["days_since_last_order"] = g.compare(400) },
		func() { m["days_since_sign_up"] = g.compare(800) },
		func() { m["birthday_within_days"] = num(g.r.IntN(20)) },
	}
	for range 1 + g.r.IntN(2) {
		adds[g.r.IntN(len(adds))]()
	}
	return m
}

// block is a mapping of one to three conditions, sometimes with a
// timezone or a reason.
func (g *gen) block(depth int) map[string]any {
	m := map[string]any{}
	for range 1 + g.r.IntN(3) {
		k, v := g.condition(depth)
		m[k] = v
	}
	if g.chance(0.2) {
		m["timezone"] = g.pick("customer", zones[g.r.IntN(len(zones))])
	}
	if g.chance(0.1) {
		m["reason"] = "the marketer's words"
	}
	return m
}

// blockOf is a block of one or two conditions of kind k.
func (g *gen) blockOf(k int) map[string]any {
	m := map[string]any{}
	for range 1 + g.r.IntN(2) {
		key, v := g.conditionOf(k, 2)
		m[key] = v
	}
	if g.chance(0.3) {
		m["timezone"] = g.pick("customer", zones[g.r.IntN(len(zones))])
	}
	return m
}

// root is a block or a list of them.
func (g *gen) root() any {
	if g.chance(0.3) {
		return []any{g.block(2), g.block(2)}
	}
	return g.block(2)
}
