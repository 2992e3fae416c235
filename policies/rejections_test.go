package policies

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// TestSortRejections: the in-place sort orders rejections as a stable
// sort by rank does, ties (codes, -1) kept in their order.
func TestSortRejections(t *testing.T) {
	var cs []*Campaign
	for i := range 30 {
		cs = append(cs, &Campaign{ID: fmt.Sprintf("c%02d", i), Priority: int64(i % 7)})
	}
	rev, err := NewRevision("r", "test", cs, nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		var rs []Rejection
		var ranks []int32
		for range r.IntN(40) {
			if r.IntN(5) == 0 {
				rs, ranks = append(rs, Rejection{Code: fmt.Sprint(r.IntN(100)), Reason: CodeInvalid}), append(ranks, -1)
				continue
			}
			c := cs[r.IntN(len(cs))]
			rs = append(rs, Rejection{Campaign: c.ID, Reason: Reasons[r.IntN(len(Reasons))]})
			ranks = append(ranks, int32(rev.rank[c]))
		}
		rank := func(x *Rejection) int {
			if x.Campaign == "" {
				return -1
			}
			return rev.rank[rev.byID[x.Campaign]]
		}
		want := slices.Clone(rs)
		sort.SliceStable(want, func(i, j int) bool { return rank(&want[i]) < rank(&want[j]) })
		sortRejections(rs, ranks, nil)
		if !slices.EqualFunc(rs, want, func(a, b Rejection) bool { return a.Campaign == b.Campaign && a.Code == b.Code && a.Reason == b.Reason }) {
			t.Fatalf("got %v\nwant %v", rs, want)
		}
	}
}
