// Package money does the arithmetic of prices: amounts are int64 minor units
// (cents), percentages are exact hundredths of a percent, rounding is
// half-to-even and amounts shared by several lines are split with the
// largest-remainder method. No floating point is ever used.
//
// # Caveats
//
// Intermediate products are computed in 128 bits, so any amount that fits in
// an int64 can be multiplied by any percentage or weight without overflow;
// the results themselves must still fit in an int64.
package money
