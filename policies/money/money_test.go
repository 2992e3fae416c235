package money

import (
	"errors"
	"slices"
	"testing"
)

func TestPercentOfRoundsHalfEven(t *testing.T) {
	for _, tc := range []struct {
		pct    string
		amount int64
		want   int64
	}{
		{"12.5", 1004, 126}, // 125.5 -> 126 (even)
		{"12.5", 1012, 126}, // 126.5 -> 126 (even)
		{"12.5", 1020, 128}, // 127.5 -> 128
		{"20", 9998, 2000},  // 1999.6
		{"33.33", 100, 33},  // 33.33
		{"50", 1, 0},        // 0.5 -> 0
		{"50", 3, 2},        // 1.5 -> 2
		{"100", 4999, 4999},
		{"0", 4999, 0},
		{"0.01", 5000, 0}, // 0.5 -> 0
		{"0.01", 15000, 2},
	} {
		p, err := ParsePercent(tc.pct)
		if err != nil {
			t.Fatalf("ParsePercent(%q): %v", tc.pct, err)
		}
		if got := p.Of(tc.amount); got != tc.want {
			t.Errorf("%s%% of %d = %d, want %d", tc.pct, tc.amount, got, tc.want)
		}
	}
}

func TestParsePercentRefusesBadInput(t *testing.T) {
	for _, s := range []string{"", "-1", "100.01", "101", "12.345", "1e2", "abc", "12.", ".5", " 5"} {
		if _, err := ParsePercent(s); !errors.Is(err, ErrPercent) {
			t.Errorf("ParsePercent(%q) = %v, want ErrPercent", s, err)
		}
	}
	if p, _ := ParsePercent("12.5"); p != 1250 || p.String() != "12.5" {
		t.Errorf("12.5 parsed as %d (%s)", p, p)
	}
}

func TestAllocateLargestRemainder(t *testing.T) {
	for _, tc := range []struct {
		total   int64
		weights []int64
		want    []int64
	}{
		{100, []int64{333, 333, 334}, []int64{33, 33, 34}},
		{100, []int64{1, 1, 1}, []int64{34, 33, 33}}, // tie: line order
		{2, []int64{1, 1, 1}, []int64{1, 1, 0}},
		{0, []int64{5, 5}, []int64{0, 0}},
		{10, []int64{0, 10}, []int64{0, 10}},
		{7, []int64{0, 0}, []int64{7, 0}},
		{1000, []int64{999}, []int64{1000}},
		{5, []int64{2, 0, 3}, []int64{2, 0, 3}},
	} {
		got := Allocate(tc.total, tc.weights)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Allocate(%d, %v) = %v, want %v", tc.total, tc.weights, got, tc.want)
		}
	}
}

func TestMulDivNoOverflow(t *testing.T) {
	if got := MulDiv(1<<62, 10000, 10000); got != 1<<62 {
		t.Errorf("MulDiv big = %d", got)
	}
}

func FuzzAllocate(f *testing.F) {
	f.Add(int64(100), int64(333), int64(333), int64(334))
	f.Fuzz(func(t *testing.T, total, a, b, c int64) {
		if total < 0 || a < 0 || b < 0 || c < 0 || a > 1<<40 || b > 1<<40 || c > 1<<40 || total > a+b+c {
			return
		}
		w := []int64{a, b, c}
		got := Allocate(total, w)
		var sum int64
		for i, g := range got {
			sum += g
			if g > w[i] || g < 0 {
				t.Fatalf("line %d got %d of weight %d", i, g, w[i])
			}
		}
		if sum != total {
			t.Fatalf("sum %d != %d", sum, total)
		}
	})
}

func TestCheckedArithmetic(t *testing.T) {
	const max = 1<<63 - 1
	for _, tc := range []struct {
		a, b         int64
		mul, add     int64
		mulOK, addOK bool
	}{
		{2, 3, 6, 5, true, true},
		{0, max, 0, max, true, true},
		{1 << 31, 1 << 32, 0, 1<<31 + 1<<32, false, true},
		{max, 2, 0, 0, false, false},
		{1 << 62, 1 << 62, 0, 0, false, false},
		{max, 1, max, 0, true, false},
		{1 << 50, 1 << 12, 1 << 62, 1<<50 + 1<<12, true, true},
	} {
		if got, ok := Mul(tc.a, tc.b); ok != tc.mulOK || ok && got != tc.mul {
			t.Errorf("Mul(%d, %d) = %d, %v", tc.a, tc.b, got, ok)
		}
		if got, ok := Add(tc.a, tc.b); ok != tc.addOK || ok && got != tc.add {
			t.Errorf("Add(%d, %d) = %d, %v", tc.a, tc.b, got, ok)
		}
	}
}
