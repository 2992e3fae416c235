package money

import (
	"math"
	"testing"
)

func TestSaturating(t *testing.T) {
	for _, c := range []struct{ a, b, want int64 }{
		{5, 3, 8},
		{5, -3, 2},
		{5, -9, 0},
		{0, math.MinInt64, 0},
		{math.MaxInt64 - 1, 5, math.MaxInt64},
		{1 << 62, 1 << 62, math.MaxInt64},
	} {
		if got := Saturating(c.a, c.b); got != c.want {
			t.Errorf("Saturating(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
