package when

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/promoedge/promoedge/policies"
)

var _ policies.Rules = (*Evaluator)(nil)

// Evaluator decides the campaigns of a bundle's when: blocks natively.
// Everything it prepares is per bundle (the programs, their shared
// filters); a request's facts live as long as its Decide. It is safe for
// concurrent use.
type Evaluator struct {
	programs map[string]*Program // by campaign id
	rules    map[string]string   // campaign id -> rule name, for errors
	filters  int                 // distinct filters of all programs
}

// NewEvaluator prepares the programs of a bundle's campaigns, by campaign
// id; rules names each campaign's generated rule (for errors). Filters
// written alike in several blocks are summed once per request.
func NewEvaluator(programs map[string]*Program, rules map[string]string) *Evaluator {
	e := &Evaluator{programs: programs, rules: rules}
	ids := map[string]int{}
	for _, id := range slices.Sorted(maps.Keys(programs)) {
		for _, n := range programs[id].leaves {
			if n.filter == nil {
				continue
			}
			fid, ok := ids[n.filter.key]
			if !ok {
				fid = len(ids)
				ids[n.filter.key] = fid
			}
			n.filter.id = fid
		}
	}
	e.filters = len(ids)
	return e
}

// Decide implements policies.Rules.
func (e *Evaluator) Decide(_ context.Context, req *policies.Request, campaigns []*policies.Campaign, out []policies.Verdict) error {
	f := newFacts(req, e.filters)
	for i, c := range campaigns {
		out[i] = e.decide(f, c)
	}
	return nil
}

func (e *Evaluator) decide(f *facts, c *policies.Campaign) policies.Verdict {
	p := e.programs[c.ID]
	if p == nil {
		return policies.Verdict{Err: fmt.Errorf("campaign %s has no when: block", c.ID)}
	}
	eligible, reasons, failed := p.decide(f)
	if failed != 0 {
		return policies.Verdict{Err: fmt.Errorf("rule %s: %s", e.rules[c.ID], riskText[failed])}
	}
	return policies.Verdict{Eligible: eligible, Reasons: reasons}
}
