package policies

import (
	"github.com/promoedge/promoedge/internal/suggest"
	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/money"
)

// EffectType names what an effect does to the cart.
type EffectType string

// The effect types of SPEC §5.
const (
	PercentOff     EffectType = "percent_off"
	AmountOff      EffectType = "amount_off"
	FixedPrice     EffectType = "fixed_price"
	BuyXGetY       EffectType = "buy_x_get_y"
	FreeShipping   EffectType = "free_shipping"
	FreeItemEffect EffectType = "free_item"
	PointsEffect   EffectType = "points"
)

// EffectTypes lists every effect type, in the order the documentation does.
var EffectTypes = []EffectType{PercentOff, AmountOff, FixedPrice, BuyXGetY, FreeShipping, FreeItemEffect, PointsEffect}

// Scope says whether an amount applies once to the matching lines together
// (cart) or to each matching unit (items).
type Scope string

// Scopes.
const (
	ScopeCart  Scope = "cart"
	ScopeItems Scope = "items"
)

// NoCap marks an effect without a max_discount.
const NoCap int64 = -1

// Effect is one thing a campaign does. Which fields matter depends on Type.
type Effect struct {
	Type        EffectType
	Percent     money.Percent // percent_off
	Scope       Scope         // percent_off, amount_off
	Filter      Filter        // lines the effect touches
	MaxDiscount int64         // percent_off, free_shipping; NoCap if unset
	Amount      int64         // amount_off
	Price       int64         // fixed_price
	Buy, Get    Selector      // buy_x_get_y
	MaxApply    int64         // buy_x_get_y max_applications; 0 = unbounded
	SKU         string        // free_item
	Quantity    int64         // free_item
	Points      int64         // points: flat points
	PerAmount   int64         // points: per_amount.amount (0 = flat)
}

// Selector is one side of a buy_x_get_y effect.
type Selector struct {
	Filter   Filter
	Quantity int64
	Percent  money.Percent // get side: share of the unit's price taken off
}

// lineFiltered reports whether the effect only touches lines that its
// filters match, so a cart without such lines cannot gain from it.
func (e *Effect) lineFiltered() bool {
	switch e.Type {
	case PercentOff, AmountOff, FixedPrice:
		return !e.Filter.IsZero()
	case BuyXGetY:
		return true
	}
	return false
}

// matchesAny reports whether a line filtered effect could touch the cart.
func (e *Effect) matchesAny(items []Item) bool {
	f := &e.Filter
	if e.Type == BuyXGetY {
		f = &e.Get.Filter
	}
	for i := range items {
		if f.Match(&items[i]) {
			return true
		}
	}
	return false
}

// ParseEffects reads a list of effect documents (decoded JSON or YAML), as a
// campaign declares them or a rule returns them. path names the list in
// errors.
func ParseEffects(path string, list []any) ([]Effect, []*FieldError) {
	var errs field.Errors
	holder := field.Object("", map[string]any{path: list}, &errs)
	effs := readEffects(holder, path)
	return effs, errs
}

func readEffects(o *field.Obj, key string) []Effect {
	objs := o.Objects(key)
	out := make([]Effect, 0, len(objs))
	for _, eo := range objs {
		if eo != nil {
			out = append(out, readEffect(eo))
		}
	}
	return out
}

func readEffect(o *field.Obj) Effect {
	e := Effect{Type: EffectType(o.String("type", "")), MaxDiscount: NoCap, Scope: ScopeCart}
	switch e.Type {
	case PercentOff:
		e.Percent = readPercent(o, "percent", true)
		e.Scope = readScope(o)
		e.Filter = readFilter(o.Object("filter"))
		e.MaxDiscount = o.Int("max_discount", NoCap, 0)
	case AmountOff:
		e.Amount = requiredInt(o, "amount", 0)
		e.Scope = readScope(o)
		e.Filter = readFilter(o.Object("filter"))
	case FixedPrice:
		e.Price = requiredInt(o, "price", 0)
		e.Filter = readFilter(o.Object("filter"))
	case BuyXGetY:
		e.Buy = readSelector(o, "buy", false)
		e.Get = readSelector(o, "get", true)
		e.MaxApply = o.Int("max_applications", 0, 1)
	case FreeShipping:
		e.MaxDiscount = o.Int("max_discount", NoCap, 0)
	case FreeItemEffect:
		e.SKU = o.String("sku", "")
		if e.SKU == "" {
			o.Fail("sku", "is required")
		}
		e.Quantity = o.Int("quantity", 1, 1)
	case PointsEffect:
		readPoints(o, &e)
	case "":
		o.Fail("type", "is required; one of %v", EffectTypes)
		return e
	default:
		o.Fail("type", "unknown effect type %q; one of %v%s", e.Type, EffectTypes, suggestType(string(e.Type)))
		return e
	}
	o.Strict()
	return e
}

func readPoints(o *field.Obj, e *Effect) {
	e.Filter = readFilter(o.Object("filter"))
	pa := o.Object("per_amount")
	_, hasPoints := o.Raw("points") // Raw marks it known for Strict
	switch {
	case pa != nil && hasPoints:
		o.Fail("points", "give either points or per_amount, not both")
	case pa != nil:
		e.Points = requiredInt(pa, "points", 0)
		e.PerAmount = requiredInt(pa, "amount", 1)
		pa.Strict()
	default:
		e.Points = requiredInt(o, "points", 0)
	}
}

func readSelector(o *field.Obj, key string, get bool) Selector {
	so := o.Object(key)
	if so == nil {
		o.Fail(key, "is required")
		return Selector{Quantity: 1, Percent: money.Hundred}
	}
	s := Selector{Filter: readFilter(so.Object("filter")), Quantity: requiredInt(so, "quantity", 1), Percent: money.Hundred}
	if get && so.Has("percent") {
		s.Percent = readPercent(so, "percent", true)
	}
	so.Strict()
	return s
}

func readScope(o *field.Obj) Scope {
	s := Scope(o.String("scope", string(ScopeCart)))
	if s != ScopeCart && s != ScopeItems {
		o.Fail("scope", "must be %q or %q, got %q", ScopeCart, ScopeItems, s)
		return ScopeCart
	}
	return s
}

func readPercent(o *field.Obj, key string, required bool) money.Percent {
	s := o.Number(key)
	if s == "" {
		if required && !o.Has(key) {
			o.Fail(key, "is required")
		}
		return 0
	}
	p, err := money.ParsePercent(s)
	if err != nil {
		o.Fail(key, "%v", err)
	}
	return p
}

func requiredInt(o *field.Obj, key string, min int64) int64 {
	if !o.Has(key) {
		o.Fail(key, "is required")
		return 0
	}
	return o.Int(key, 0, min)
}

func suggestType(t string) string {
	names := make([]string, len(EffectTypes))
	for i, c := range EffectTypes {
		names[i] = string(c)
	}
	return suggest.DidYouMean(t, names)
}
