package policies

import (
	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/money"
)

// PointsEffect awards loyalty points.
const PointsEffect EffectType = "points"

// pointsKind awards loyalty points: a flat number, or a number per amount
// of the matching lines' final total. They are counted once every
// campaign has applied (pointsAward).
type pointsKind struct{}

func (pointsKind) read(o *field.Obj, e *Effect) {
	e.Filter = readFilter(o.Object("filter"))
	pa := o.Object("per_amount")
	_, hasPoints := o.Raw("points") // Raw marks it known for Strict
	switch {
	case pa != nil && hasPoints:
		o.Fail("points", "give either points or per_amount, not both")
	case pa != nil:
		e.Points = requiredInt(pa, "points", 0, MaxAmount)
		e.PerAmount = requiredInt(pa, "amount", 1, MaxAmount)
		pa.Strict()
	default:
		e.Points = requiredInt(o, "points", 0, MaxAmount)
	}
}

func (pointsKind) lines(*Effect) *Filter { return nil }

// price counts the points on the amounts left now, which later campaigns
// only lower: if they overflow now the campaign is rejected, and then they
// cannot overflow when pointsAward counts them on the final amounts.
func (pointsKind) price(st *cartState, o *outcome, e *Effect, a *Applied) {
	if _, ok := st.pointsOn(e, o.left); !ok {
		o.overflow(e, "points per amount")
		return
	}
	o.points = append(o.points, pendingPoints{campaign: a.Campaign, effect: e})
}

// pointsAward counts the points of p on the cart's final amounts.
func (st *cartState) pointsAward(p pendingPoints) PointAward {
	pts, _ := st.pointsOn(p.effect, st.left) // checked when priced
	return PointAward{Campaign: p.campaign, Points: pts}
}

// pointsOn is the points e gives on the lines' amounts left, and false
// when they overflow.
func (st *cartState) pointsOn(e *Effect, left []int64) (int64, bool) {
	if e.PerAmount <= 0 {
		return e.Points, true
	}
	var base int64 // at most the cart's subtotal: no overflow
	for i := range st.items {
		if e.Filter.Match(&st.items[i]) {
			base += left[i]
		}
	}
	return money.Mul(base/e.PerAmount, e.Points)
}
