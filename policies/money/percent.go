package money

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Percent is a percentage in hundredths of a percent: 1250 is 12.5 %.
type Percent int64

// Hundred is 100 %.
const Hundred Percent = 10000

// ErrPercent is returned for a percentage that is not a decimal number from 0
// to 100 with at most two decimals.
var ErrPercent = errors.New("percent must be a number from 0 to 100 with at most 2 decimals")

// ParsePercent reads a decimal such as "12.5" exactly. It accepts at most two
// decimals and values from 0 to 100 inclusive.
func ParsePercent(s string) (Percent, error) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || (hasFrac && (frac == "" || len(frac) > 2)) {
		return 0, fmt.Errorf("%w: %q", ErrPercent, s)
	}
	w, err := strconv.ParseUint(whole, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%w: %q", ErrPercent, s)
	}
	var f uint64
	if hasFrac {
		if f, err = strconv.ParseUint(frac, 10, 8); err != nil {
			return 0, fmt.Errorf("%w: %q", ErrPercent, s)
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	p := Percent(w*100 + f)
	if p > Hundred {
		return 0, fmt.Errorf("%w: %q", ErrPercent, s)
	}
	return p, nil
}

// Of returns p percent of amount, rounded half-to-even to the minor unit.
func (p Percent) Of(amount int64) int64 {
	return MulDiv(amount, int64(p), int64(Hundred))
}

// String formats p as a decimal, "12.5".
func (p Percent) String() string {
	s := strconv.FormatInt(int64(p)/100, 10)
	if f := int64(p) % 100; f != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", f), "0")
	}
	return s
}
