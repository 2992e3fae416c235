package money

import "sort"

// Allocate splits total over lines pro rata to weights with the
// largest-remainder method: each line gets the floor of its exact share, and
// the units left over go one each to the lines with the largest remainders,
// ties broken by line order. The result always sums to total and, when total
// does not exceed the sum of the weights, no line gets more than its weight.
// Weights must not be negative; if they are all zero the result is all zero
// unless total is positive, in which case it goes to the first line.
func Allocate(total int64, weights []int64) []int64 {
	out := make([]int64, len(weights))
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
	rems := make([]int64, len(weights))
	left := total
	for i, w := range weights {
		out[i], rems[i] = mulDivRem(total, w, sum)
		left -= out[i]
	}
	if left == 0 {
		return out
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rems[order[a]] > rems[order[b]] })
	for i := int64(0); i < left; i++ {
		out[order[i%int64(len(order))]]++
	}
	return out
}
