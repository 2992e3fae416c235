package policies

import (
	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/money"
)

// FixedPrice sets the price of the matching units.
const FixedPrice EffectType = "fixed_price"

// fixedPriceKind brings each matching unit down to a price (never up).
type fixedPriceKind struct{}

func (fixedPriceKind) read(o *field.Obj, e *Effect) {
	e.Price = requiredInt(o, "price", 0, MaxAmount)
	e.Filter = readFilter(o.Object("filter"))
}

func (fixedPriceKind) lines(e *Effect) *Filter { return ownFilter(e) }

func (fixedPriceKind) price(st *cartState, o *outcome, e *Effect, a *Applied) {
	for i := range st.items {
		// A price whose product with the quantity overflows is above
		// anything a line holds: nothing to take.
		if p, ok := money.Mul(e.Price, st.items[i].Quantity); ok && e.Filter.Match(&st.items[i]) {
			takeLine(o, st, a, i, o.left[i]-p)
		}
	}
}
