package money

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestByRemainderIsStableSort: the insertion sort orders lines exactly as
// a stable sort by remainder, largest first, does (ties in line order).
func TestByRemainderIsStableSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		n := r.IntN(80)
		rems := make([]int64, n)
		for i := range rems {
			rems[i] = int64(r.IntN(4)) // many ties
		}
		got, want := make([]int, n), make([]int, n)
		for i := range n {
			got[i], want[i] = i, i
		}
		byRemainder(got, rems)
		slices.SortStableFunc(want, func(a, b int) int { return cmp.Compare(rems[b], rems[a]) })
		if !slices.Equal(got, want) {
			t.Fatalf("remainders %v: got %v, want %v", rems, got, want)
		}
	}
}
