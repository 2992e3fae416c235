package money

import (
	"cmp"
	"slices"
)

// Allocate splits total over lines pro rata to weights with the
// largest-remainder method: each line gets the floor of its exact share, and
// the units left over go one each to the lines with the largest remainders,
// ties broken by line order. The result always sums to total and, when total
// does not exceed the sum of the weights, no line gets more than its weight.
// Weights must not be negative; if they are all zero the result is all zero
// unless total is positive, in which case it goes to the first line.
func Allocate(total int64, weights []int64) []int64 {
	return AllocateTo(nil, total, weights)
}

// AllocateTo is Allocate writing into dst's storage when it has room
// (pricing reuses one buffer for every campaign of a cart).
func AllocateTo(dst []int64, total int64, weights []int64) []int64 {
	out := slices.Grow(dst[:0], len(weights))[:len(weights)]
	clear(out)
	if len(weights) == 0 || total == 0 {
		return out
	}
	var sum int64
	for _, w := range weights {
		sum += w
	}
	if sum == 0 {
		out[0] = total
		return out
	}
	var small [64]int64 // on the stack for carts of up to 64 lines
	rems := small[:0]
	if len(weights) > len(small) {
		rems = make([]int64, 0, len(weights))
	}
	left := total
	for i, w := range weights {
		q, r := mulDivRem(total, w, sum)
		out[i], rems = q, append(rems, r)
		left -= q
	}
	if left == 0 {
		return out
	}
	var smallOrder [64]int
	order := smallOrder[:0]
	if len(weights) > len(smallOrder) {
		order = make([]int, 0, len(weights))
	}
	for i := range weights {
		order = append(order, i)
	}
	byRemainder(order, rems)
	for i := int64(0); i < left; i++ {
		out[order[i%int64(len(order))]]++
	}
	return out
}

// byRemainder sorts line indexes by remainder, largest first, ties in line
// order (a stable sort); an insertion sort for carts of a few dozen lines.
func byRemainder(order []int, rems []int64) {
	if len(order) > 64 {
		slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(rems[b], rems[a]) })
		return
	}
	for i := 1; i < len(order); i++ {
		x := order[i]
		j := i
		for ; j > 0 && rems[order[j-1]] < rems[x]; j-- {
			order[j] = order[j-1]
		}
		order[j] = x
	}
}
