package policies

import (
	"github.com/promoedge/promoedge/internal/suggest"
	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/money"
)

// EffectType names what an effect does to the cart.
type EffectType string

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

// effectKind is what one effect type does; effectKinds lists one per type.
// Adding an effect type is a file with its effectKind and a row there.
type effectKind interface {
	// read reads the type's fields of o into e, failing o's fields that
	// are wrong; e arrives with its Type, NoCap and ScopeCart set.
	read(o *field.Obj, e *Effect)
	// lines is the filter of the lines the effect could touch when only
	// they can gain from it, else nil.
	lines(e *Effect) *Filter
	// price applies the effect to the trial outcome o, recording what it
	// gave in a.
	price(st *cartState, o *outcome, e *Effect, a *Applied)
}

// effectKinds are the effect types of docs/campaigns.md#effects, each declared in its own
// file, in the order the documentation lists them (EffectTypes); a
// campaign's effects apply in its own order.
var effectKinds = [...]struct {
	typ  EffectType
	kind effectKind
}{
	{PercentOff, percentOffKind{}},
	{AmountOff, amountOffKind{}},
	{FixedPrice, fixedPriceKind{}},
	{BuyXGetY, buyXGetYKind{}},
	{FreeShipping, freeShippingKind{}},
	{FreeItemEffect, freeItemKind{}},
	{PointsEffect, pointsKind{}},
}

// EffectTypes lists every effect type, in the order the documentation does.
var EffectTypes = effectTypes()

func effectTypes() []EffectType {
	out := make([]EffectType, len(effectKinds))
	for i, k := range effectKinds {
		out[i] = k.typ
	}
	return out
}

// kindOf returns what effect type t does, or nil for an unknown type.
func kindOf(t EffectType) effectKind {
	for i := range effectKinds {
		if effectKinds[i].typ == t {
			return effectKinds[i].kind
		}
	}
	return nil
}

// lineFiltered reports whether the effect only touches lines that its
// filters match, so a cart without such lines cannot gain from it.
func (e *Effect) lineFiltered() bool {
	k := kindOf(e.Type)
	return k != nil && k.lines(e) != nil
}

// matchesAny reports whether a line filtered effect could touch the cart.
func (e *Effect) matchesAny(items []Item) bool {
	f := kindOf(e.Type).lines(e)
	for i := range items {
		if f.Match(&items[i]) {
			return true
		}
	}
	return false
}

// ownFilter is the lines of an effect that touches only the lines its
// Filter matches: every line when the filter is empty.
func ownFilter(e *Effect) *Filter {
	if e.Filter.IsZero() {
		return nil
	}
	return &e.Filter
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
			out = append(out, Effect{})
			readEffect(eo, &out[len(out)-1]) // in place: e does not move to the heap
		}
	}
	return out
}

// readEffect reads one effect document into e.
func readEffect(o *field.Obj, e *Effect) {
	*e = Effect{Type: EffectType(o.String("type", "")), MaxDiscount: NoCap, Scope: ScopeCart}
	k := kindOf(e.Type)
	switch {
	case e.Type == "":
		o.Fail("type", "is required; one of %v", EffectTypes)
		return
	case k == nil:
		o.Fail("type", "unknown effect type %q; one of %v%s", e.Type, EffectTypes, suggestType(string(e.Type)))
		return
	}
	k.read(o, e)
	o.Strict()
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

// requiredInt reads a number from min to max that must be given.
func requiredInt(o *field.Obj, key string, min, max int64) int64 {
	if !o.Has(key) {
		o.Fail(key, "is required")
		return 0
	}
	return boundedInt(o, key, 0, min, max)
}

// boundedInt reads a number from min to max, def when absent: an effect's
// amounts are bounded by MaxAmount and its quantities by MaxQuantity, as a
// bundle's are at load and a rule's when it returns them.
func boundedInt(o *field.Obj, key string, def, min, max int64) int64 {
	n := o.Int(key, def, min)
	if n > max {
		o.Fail(key, "must be at most %d, got %d", max, n)
		return def
	}
	return n
}

func suggestType(t string) string {
	names := make([]string, len(EffectTypes))
	for i, c := range EffectTypes {
		names[i] = string(c)
	}
	return suggest.DidYouMean(t, names)
}
