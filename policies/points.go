package policies

import "github.com/promoedge/promoedge/policies/internal/field"

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
		e.Points = requiredInt(pa, "points", 0)
		e.PerAmount = requiredInt(pa, "amount", 1)
		pa.Strict()
	default:
		e.Points = requiredInt(o, "points", 0)
	}
}

func (pointsKind) lines(*Effect) *Filter { return nil }

func (pointsKind) price(_ *cartState, o *outcome, e *Effect, a *Applied) {
	o.points = append(o.points, pendingPoints{campaign: a.Campaign, effect: e})
}

// pointsAward counts the points of p on the cart's final amounts.
func (st *cartState) pointsAward(p pendingPoints) PointAward {
	e := p.effect
	pts := e.Points
	if e.PerAmount > 0 {
		var base int64
		for i := range st.items {
			if e.Filter.Match(&st.items[i]) {
				base += st.left[i]
			}
		}
		pts = base / e.PerAmount * e.Points
	}
	return PointAward{Campaign: p.campaign, Points: pts}
}
