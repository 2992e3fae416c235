package money

import (
	"errors"
	"math"
	"math/bits"
)

// ErrOverflow is an amount that does not fit in an int64: a price, a
// discount or points computed from numbers that are each within bounds
// but whose product or sum is not.
var ErrOverflow = errors.New("amount overflows")

// Mul returns a*b, and false when it does not fit in an int64. a and b
// must not be negative.
func Mul(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi != 0 || lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

// Add returns a+b, and false when it does not fit in an int64. a and b
// must not be negative.
func Add(a, b int64) (int64, bool) {
	s, carry := bits.Add64(uint64(a), uint64(b), 0)
	if carry != 0 || s > math.MaxInt64 {
		return 0, false
	}
	return int64(s), true
}

// Saturating returns a+b held within [0, math.MaxInt64]: a counter of
// money spent that neither wraps nor goes below zero, whatever the
// amounts a hostile cart brought. a must not be negative.
func Saturating(a, b int64) int64 {
	if b < 0 {
		return max(0, a+b) // a ≥ 0 and b ≥ MinInt64: a+b cannot wrap
	}
	if s, ok := Add(a, b); ok {
		return s
	}
	return math.MaxInt64
}
