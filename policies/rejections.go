package policies

import (
	"cmp"
	"slices"
)

// sortRejections orders rejections stably by rank (codes that matched
// nothing first, then campaigns in the order they apply), in place; a
// catalog rejects hundreds of campaigns a request. keys is scratch space,
// returned for the next request.
func sortRejections(rs []Rejection, ranks []int32, keys []ranked) []ranked {
	if slices.IsSorted(ranks) {
		return keys
	}
	keys = grow(keys, len(rs))
	for i := range rs {
		keys = append(keys, ranked{ranks[i], int32(i)})
	}
	slices.SortStableFunc(keys, func(a, b ranked) int { return cmp.Compare(a.rank, b.rank) })
	// Put rs[keys[i].i] at i, following each cycle of the permutation.
	for i := range keys {
		if keys[i].i < 0 || int(keys[i].i) == i {
			continue
		}
		tmp, j := rs[i], i
		for {
			k := int(keys[j].i)
			keys[j].i = -1
			if k == i {
				rs[j] = tmp
				break
			}
			rs[j], j = rs[k], k
		}
	}
	return keys
}

// ranked is a rejection's rank and position, as sortRejections sorts them.
type ranked struct{ rank, i int32 }
