package policies

import (
	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/money"
)

// AmountOff takes an amount off the matching lines.
const AmountOff EffectType = "amount_off"

// amountOffKind takes an amount off the matching lines: once, spread over
// them pro rata (scope cart), or off each matching unit (scope items).
type amountOffKind struct{}

func (amountOffKind) read(o *field.Obj, e *Effect) {
	e.Amount = requiredInt(o, "amount", 0, MaxAmount)
	e.Scope = readScope(o)
	e.Filter = readFilter(o.Object("filter"))
}

func (amountOffKind) lines(e *Effect) *Filter { return ownFilter(e) }

func (amountOffKind) price(st *cartState, o *outcome, e *Effect, a *Applied) {
	if e.Scope == ScopeItems {
		amountOffItems(st, o, e, a)
		return
	}
	idx, w := st.matching(o, &e.Filter)
	d := min(e.Amount, sum(w))
	if d < e.Amount {
		a.ReducedFrom = e.Amount
	}
	spread(o, st, a, d, idx, w)
}

// amountOffItems takes the amount off each matching unit, no more than
// each line has left.
func amountOffItems(st *cartState, o *outcome, e *Effect, a *Applied) {
	var want int64
	for i := range st.items {
		if !e.Filter.Match(&st.items[i]) {
			continue
		}
		w, okMul := money.Mul(e.Amount, st.items[i].Quantity)
		total, okAdd := money.Add(want, w)
		if !okMul || !okAdd {
			o.overflow(e, "amount times quantity")
			return
		}
		want = total
		takeLine(o, st, a, i, min(w, o.left[i]))
	}
	if a.Amount < want {
		a.ReducedFrom = want
	}
}
