package policies

import (
	"cmp"
	"slices"
)

// Best deal (docs/campaigns.md#best-deal): the campaigns with stacking
// best and the same group compete, and only the one giving the largest
// discount applies. The group is decided at the position of its
// highest-priority member in the bundle, whether or not that member is
// eligible for this cart, so where a group sits in the chain is a
// property of the bundle, not of the cart.

// inGroupOrder orders live (in rank order) so that each group's eligible
// members stand together at their group's position; the others keep
// their places. No other campaign has that rank (ranks are unique), so a
// group's members are contiguous.
func inGroupOrder(rev *Revision, live []*candidate) []*candidate {
	if !slices.ContainsFunc(live, func(cd *candidate) bool { return cd.c.Stacking == Best }) {
		return live
	}
	at := func(cd *candidate) int32 {
		if cd.c.Stacking == Best {
			return rev.groupRank[cd.c.Group]
		}
		return cd.rank
	}
	slices.SortStableFunc(live, func(a, b *candidate) int { return cmp.Compare(at(a), at(b)) })
	return live
}

// groupLen is how many of live, from its first (a Best campaign), are of
// the first's group.
func groupLen(live []*candidate) int {
	n := 1
	for n < len(live) && live[n].c.Stacking == Best && live[n].c.Group == live[0].c.Group {
		n++
	}
	return n
}

// applyBest decides a group: each member still in the running is priced
// on what is left now; the largest discount (lines plus shipping) wins,
// ties to the first in application order (priority, then id); the winner's
// outcome, kept aside, applies and the others are excluded naming it. A member whose price
// fails (overflow, a budget it would overrun) is rejected for that and
// does not compete.
func (ev *evaluation) applyBest(members []*candidate) {
	var win *candidate
	best := int64(-1)
	for _, cd := range members {
		if cd.out {
			continue
		}
		if o, ok := ev.price(cd); ok && o.discount > best {
			win, best = cd, o.discount
			ev.cart.keep()
		}
	}
	if win == nil {
		return
	}
	ev.cart.commitKept(ev.dec)
	win.out = true // applied
	why := []string{"gave a lower discount than " + win.c.ID}
	for _, cd := range members {
		if !cd.out {
			ev.reject(cd, ExcludedByStacker, why)
		}
	}
}

// keep sets the trial outcome aside as the group's best so far; the next
// try prices into the outcome kept before (their arrays swap, so the two
// never share one).
func (st *cartState) keep() {
	st.trial, st.kept = st.kept, st.trial
	st.spare, st.keptSpare = st.keptSpare, st.spare
}

// commitKept applies the kept outcome. Its left becomes the cart's, the
// cart's the spare, and the spare's array is kept for the next group.
func (st *cartState) commitKept(dec *Decision) {
	spare := st.spare
	st.commit(&st.kept, dec)
	st.keptSpare = spare
}
