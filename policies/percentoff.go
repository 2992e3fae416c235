package policies

import "github.com/promoedge/promoedge/policies/internal/field"

// PercentOff takes a percentage off the matching lines.
const PercentOff EffectType = "percent_off"

// percentOffKind takes a percentage off the matching lines' amount left,
// up to max_discount, spread over them pro rata.
type percentOffKind struct{}

func (percentOffKind) read(o *field.Obj, e *Effect) {
	e.Percent = readPercent(o, "percent", true)
	e.Scope = readScope(o)
	e.Filter = readFilter(o.Object("filter"))
	e.MaxDiscount = boundedInt(o, "max_discount", NoCap, 0, MaxAmount)
}

func (percentOffKind) lines(e *Effect) *Filter { return ownFilter(e) }

func (percentOffKind) price(st *cartState, o *outcome, e *Effect, a *Applied) {
	idx, w := st.matching(o, &e.Filter)
	d := e.Percent.Of(sum(w))
	if e.MaxDiscount != NoCap {
		d = min(d, e.MaxDiscount)
	}
	spread(o, st, a, d, idx, w)
}
