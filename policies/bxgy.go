package policies

import (
	"sort"

	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/money"
)

// BuyXGetY gives units for units bought.
const BuyXGetY EffectType = "buy_x_get_y"

// buyXGetYKind gives get units for every buy units bought (buyXGetY).
type buyXGetYKind struct{}

func (buyXGetYKind) read(o *field.Obj, e *Effect) {
	e.Buy = readSelector(o, "buy", false)
	e.Get = readSelector(o, "get", true)
	e.MaxApply = boundedInt(o, "max_applications", 0, 1, MaxQuantity)
}

// lines: a cart without a unit to give cannot gain.
func (buyXGetYKind) lines(e *Effect) *Filter { return &e.Get.Filter }

func (buyXGetYKind) price(st *cartState, o *outcome, e *Effect, a *Applied) {
	st.buyXGetY(o, e, a)
}

// readSelector reads the buy or get side of a buy_x_get_y effect.
func readSelector(o *field.Obj, key string, get bool) Selector {
	so := o.Object(key)
	if so == nil {
		o.Fail(key, "is required")
		return Selector{Quantity: 1, Percent: money.Hundred}
	}
	s := Selector{Filter: readFilter(so.Object("filter")), Quantity: requiredInt(so, "quantity", 1, MaxQuantity), Percent: money.Hundred}
	if get && so.Has("percent") {
		s.Percent = readPercent(so, "percent", true)
	}
	so.Strict()
	return s
}

// unitGroup is a run of units of one line that are worth the same: a line's
// amount left spreads over its units so that they differ by at most one
// minor unit, which gives at most two groups a line.
type unitGroup struct {
	line  int
	value int64
	count int64
	buy   bool // the buy filter matches
}

// buyXGetY gives Get.Quantity units for every Buy.Quantity units bought, as
// many times as the cart allows (up to MaxApply). The cheapest qualifying
// units are the ones given; a unit is bought or given, never both.
func (st *cartState) buyXGetY(o *outcome, e *Effect, a *Applied) {
	gets, buyTotal := st.unitGroups(o, e)
	n := maxApplications(e, gets, buyTotal)
	if n == 0 {
		return
	}
	lines, weights, value := cheapest(gets, n*e.Get.Quantity)
	spread(o, st, a, money.MulDiv(value, int64(e.Get.Percent), int64(money.Hundred)), lines, weights)
}

// cheapest takes need units from the cheapest groups and returns their
// lines in order, the value taken from each, and the total.
func cheapest(gets []unitGroup, need int64) ([]int, []int64, int64) {
	perLine := make(map[int]int64)
	var lines []int
	var value int64
	for _, g := range gets {
		if need == 0 {
			break
		}
		k := min(need, g.count)
		need -= k
		if _, ok := perLine[g.line]; !ok {
			lines = append(lines, g.line)
		}
		perLine[g.line] += k * g.value
		value += k * g.value
	}
	sort.Ints(lines)
	weights := make([]int64, len(lines))
	for k, i := range lines {
		weights[k] = perLine[i]
	}
	return lines, weights, value
}

// unitGroups returns the get-qualifying units, cheapest first (ties by line
// order), and how many units qualify to be bought.
func (st *cartState) unitGroups(o *outcome, e *Effect) ([]unitGroup, int64) {
	var gets []unitGroup
	var buyTotal int64
	for i := range st.items {
		it := &st.items[i]
		buy, get := e.Buy.Filter.Match(it), e.Get.Filter.Match(it)
		if buy {
			buyTotal += it.Quantity
		}
		if !get {
			continue
		}
		base, extra := o.left[i]/it.Quantity, o.left[i]%it.Quantity
		// Units an earlier campaign already made free are not worth
		// giving: the customer would gain nothing.
		if it.Quantity-extra > 0 && base > 0 {
			gets = append(gets, unitGroup{line: i, value: base, count: it.Quantity - extra, buy: buy})
		}
		if extra > 0 {
			gets = append(gets, unitGroup{line: i, value: base + 1, count: extra, buy: buy})
		}
	}
	sort.SliceStable(gets, func(a, b int) bool { return gets[a].value < gets[b].value })
	return gets, buyTotal
}

// maxApplications is the largest n for which the n*Get cheapest units can be
// given while n*Buy other units are bought. Feasibility shrinks as n grows,
// so a binary search finds it.
func maxApplications(e *Effect, gets []unitGroup, buyTotal int64) int64 {
	var getTotal int64
	for _, g := range gets {
		getTotal += g.count
	}
	hi := getTotal / e.Get.Quantity
	if e.MaxApply > 0 {
		hi = min(hi, e.MaxApply)
	}
	lo := int64(0)
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if feasible(e, gets, buyTotal, mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// feasible reports whether the n*Get cheapest units can be given while
// n*Buy other units are bought.
func feasible(e *Effect, gets []unitGroup, buyTotal, n int64) bool {
	need, givenBuy := n*e.Get.Quantity, int64(0)
	for _, g := range gets {
		if need == 0 {
			break
		}
		k := min(need, g.count)
		need -= k
		if g.buy {
			givenBuy += k
		}
	}
	bought, ok := money.Mul(n, e.Buy.Quantity)
	return ok && buyTotal-givenBuy >= bought
}
