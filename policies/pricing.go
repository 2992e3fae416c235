package policies

import (
	"fmt"
	"slices"

	"github.com/promoedge/promoedge/policies/money"
)

// cartState is what is left to discount as campaigns apply in turn.
type cartState struct {
	items    []Item
	left     []int64 // per line, after the campaigns applied so far
	ship     int64   // shipping charge left
	ship0    int64   // shipping charge before discounts
	points   []pendingPoints
	subtotal int64

	// Scratch space reused from one campaign to the next: the trial
	// outcome (its left swaps with left at commit) and matching's and
	// spread's buffers.
	trial outcome
	spare []int64
	// kept is the best outcome of a best-deal group so far (best.go), and
	// keptSpare the array its left came from: neither aliases left, spare
	// or trial's.
	kept      outcome
	keptSpare []int64
	idx       []int
	w         []int64
	shares    []int64
}

type pendingPoints struct {
	campaign string
	effect   *Effect
}

func newCartState(c *Cart) *cartState {
	st := &cartState{items: c.Items, left: make([]int64, len(c.Items)), ship: c.Shipping.Amount, ship0: c.Shipping.Amount}
	for i := range c.Items {
		st.left[i] = c.Items[i].Amount()
		st.subtotal += st.left[i]
	}
	return st
}

// outcome is one campaign's effects priced on a trial copy of the cart.
type outcome struct {
	applied  []Applied
	free     []FreeItem
	points   []pendingPoints
	left     []int64
	ship     int64
	discount int64 // lines + shipping
	// err is an effect whose amounts overflow (money.ErrOverflow): the
	// campaign is rejected with error instead of applied.
	err error
}

// overflow records that effect e's arithmetic overflowed.
func (o *outcome) overflow(e *Effect, what string) {
	if o.err == nil {
		o.err = fmt.Errorf("%s effect: %s: %w", e.Type, what, money.ErrOverflow)
	}
}

// try prices a campaign's effects on a copy of the state; nothing changes
// until commit, so a campaign refused for its budget leaves no trace. The
// outcome is valid until the next try.
func (st *cartState) try(cd *candidate) *outcome {
	o := &st.trial
	*o = outcome{
		applied: o.applied[:0], free: o.free[:0], points: o.points[:0],
		left: append(st.spare[:0], st.left...), ship: st.ship,
	}
	for i := range cd.effects {
		e := &cd.effects[i]
		// The effect records what it gives in place, in o.applied (a local
		// handed to an interface method would move to the heap); no
		// effect appends to o.applied.
		o.applied = append(o.applied, Applied{Campaign: cd.c.ID, Code: cd.code, Variant: cd.variantName(), Effect: e.Type})
		a := &o.applied[len(o.applied)-1]
		if k := kindOf(e.Type); k != nil {
			k.price(st, o, e, a)
		}
		if o.err != nil {
			break
		}
		o.discount += a.Amount // at most the cart's amounts: no overflow
	}
	return o
}

func (st *cartState) commit(o *outcome, dec *Decision) {
	st.left, st.spare, st.ship = o.left, st.left, o.ship
	st.points = append(st.points, o.points...)
	dec.Applied = append(dec.Applied, o.applied...)
	dec.FreeItems = append(dec.FreeItems, o.free...)
}

// matching returns the indexes of lines the filter matches that still have
// something left to discount, and their amounts left as weights.
func (st *cartState) matching(o *outcome, f *Filter) ([]int, []int64) {
	idx, w := st.idx[:0], st.w[:0]
	for i := range st.items {
		if o.left[i] > 0 && f.Match(&st.items[i]) {
			idx = append(idx, i)
			w = append(w, o.left[i])
		}
	}
	st.idx, st.w = idx, w // kept for the next campaign
	return idx, w
}

// spread takes total off the lines idx pro rata to weights and records the
// per-line shares.
func spread(o *outcome, st *cartState, a *Applied, total int64, idx []int, weights []int64) {
	shares := money.AllocateTo(st.shares, total, weights)
	st.shares = shares
	a.Lines = slices.Grow(a.Lines, len(idx))
	for k, i := range idx {
		takeLine(o, st, a, i, shares[k])
	}
}

func takeLine(o *outcome, st *cartState, a *Applied, i int, amount int64) {
	if amount <= 0 {
		return
	}
	o.left[i] -= amount
	a.Amount += amount
	a.Lines = append(a.Lines, LineAmount{ID: st.items[i].ID, Amount: amount})
}

func sum(xs []int64) int64 {
	var s int64
	for _, x := range xs {
		s += x
	}
	return s
}

// finish credits points on the final amounts and writes the totals.
func (st *cartState) finish(ev *evaluation) {
	dec := ev.dec
	dec.Items = make([]ItemTotal, len(st.items))
	for i := range st.items {
		it := &st.items[i]
		d := it.Amount() - st.left[i]
		dec.Items[i] = ItemTotal{ID: it.ID, Subtotal: it.Amount(), Discount: d, Total: st.left[i]}
		dec.Discount += d
	}
	dec.Subtotal = st.subtotal
	dec.Shipping = st.ship0
	dec.ShippingDiscount = st.ship0 - st.ship
	dec.Total = dec.Subtotal + dec.Shipping - dec.Discount - dec.ShippingDiscount
	for _, p := range st.points {
		dec.Points = append(dec.Points, st.pointsAward(p))
	}
}
