package policies

import "github.com/promoedge/promoedge/policies/internal/field"

// FreeShipping takes the shipping charge off.
const FreeShipping EffectType = "free_shipping"

// freeShippingKind takes the shipping charge off, up to max_discount and
// to what earlier campaigns left of it.
type freeShippingKind struct{}

func (freeShippingKind) read(o *field.Obj, e *Effect) {
	e.MaxDiscount = boundedInt(o, "max_discount", NoCap, 0, MaxAmount)
}

func (freeShippingKind) lines(*Effect) *Filter { return nil }

func (freeShippingKind) price(st *cartState, o *outcome, e *Effect, a *Applied) {
	want := st.ship0
	if e.MaxDiscount != NoCap {
		want = min(want, e.MaxDiscount)
	}
	a.Amount = min(want, o.ship)
	if a.Amount < want {
		a.ReducedFrom = want
	}
	o.ship -= a.Amount
}
