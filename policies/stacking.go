package policies

import (
	"context"
	"fmt"
	"slices"

	"github.com/promoedge/promoedge/policies/money"
)

// applyStacking prices the eligible campaigns in order
// (docs/campaigns.md#stacking). If any exclusive campaign is eligible, the first of them
// that fits its budget is the only one applied; otherwise each campaign
// applies on what the ones before it left, a best-deal group applies its
// best member at its position (best.go), and a stop campaign ends the
// chain. Every campaign that does not apply is rejected with its reason.
func applyStacking(_ context.Context, ev *evaluation) error {
	live := ev.live()
	ev.dec.Applied = slices.Grow(ev.dec.Applied, len(live)) // one effect each, mostly
	for _, cd := range live {
		if cd.c.Stacking != Exclusive {
			continue
		}
		if ev.tryApply(cd) {
			excludeAll(ev, live, fmt.Sprintf("exclusive campaign %s applied", cd.c.ID))
			return nil
		}
	}
	if ev.rev.groupRank != nil {
		live = inGroupOrder(ev.rev, live) // best.go
	}
	for i := 0; i < len(live); i++ {
		cd := live[i]
		if cd.out || cd.c.Stacking == Exclusive {
			continue
		}
		if cd.c.Stacking == Best {
			n := groupLen(live[i:])
			ev.applyBest(live[i : i+n])
			i += n - 1
			continue
		}
		if ev.tryApply(cd) && cd.c.Stacking == Stop {
			excludeAll(ev, live[i+1:], fmt.Sprintf("campaign %s stops the chain", cd.c.ID))
			return nil
		}
	}
	return nil
}

// tryApply prices cd and commits it unless it would overrun its budget.
func (ev *evaluation) tryApply(cd *candidate) bool {
	o, ok := ev.price(cd)
	if !ok {
		return false
	}
	ev.cart.commit(o, ev.dec)
	cd.out = true // applied: no longer a candidate
	return true
}

// price prices cd on what is left, rejecting it when its effects overflow
// or its discount would overrun a budget. The outcome is valid until the
// next price.
func (ev *evaluation) price(cd *candidate) (*outcome, bool) {
	o := ev.cart.try(cd)
	if o.err != nil {
		ev.reject(cd, RuleError, []string{o.err.Error()})
		return nil, false
	}
	if b := cd.c.Limits.Budget; b > 0 && overBudget(cd.spent, o.discount, b) {
		ev.reject(cd, BudgetExhausted, []string{fmt.Sprintf("discount %d exceeds the %d left of the budget", o.discount, b-cd.spent)})
		return nil, false
	}
	if p := cd.c.Limits.PerPeriod; p.Budget > 0 && overBudget(cd.pspent, o.discount, p.Budget) {
		ev.reject(cd, BudgetExhausted, []string{p.Kind.Label()})
		return nil, false
	}
	return o, true
}

func excludeAll(ev *evaluation, cands []*candidate, why string) {
	for _, cd := range cands {
		if !cd.out {
			ev.reject(cd, ExcludedByStacker, []string{why})
		}
	}
}

// overBudget reports whether spending discount on top of spent passes
// budget (a sum that would overflow does).
func overBudget(spent, discount, budget int64) bool {
	total, ok := money.Add(max(spent, 0), discount)
	return !ok || total > budget
}
