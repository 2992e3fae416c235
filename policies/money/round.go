package money

import "math/bits"

// MulDiv returns a*b/d rounded half-to-even. a and b must not be negative and
// d must be positive; the product is computed in 128 bits.
func MulDiv(a, b, d int64) int64 {
	q, r := mulDivRem(a, b, d)
	twice := 2 * uint64(r)
	if twice > uint64(d) || (twice == uint64(d) && q%2 == 1) {
		q++
	}
	return q
}

// mulDivRem returns the quotient and remainder of a*b/d, truncated.
func mulDivRem(a, b, d int64) (int64, int64) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(d) { // quotient would not fit: saturate rather than panic
		return 1<<63 - 1, 0
	}
	q, r := bits.Div64(hi, lo, uint64(d))
	return int64(q), int64(r)
}
