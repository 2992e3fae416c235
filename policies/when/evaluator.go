package when

import (
	"context"
	"fmt"
	"sync"

	"github.com/promoedge/promoedge/policies"
)

var _ policies.Rules = (*Evaluator)(nil)

// Evaluator decides the campaigns of a bundle's when: blocks natively.
// Everything it prepares is per bundle: the programs, and the ids of
// their leaves and filters, so that conditions written alike in many
// campaigns are tested once a request. A request's facts live as long as
// its Decide. It is safe for concurrent use.
type Evaluator struct {
	programs map[*policies.Campaign]*Program
	byID     map[string]*Program // for campaigns given as copies
	leaves   int                 // distinct leaves of all programs
	filters  int                 // distinct filters of all programs
	facts    sync.Pool           // *facts, reused from one request to the next
}

// NewEvaluator prepares the programs of a bundle's campaigns: programs[i]
// decides campaigns[i]. A program belongs to one Evaluator.
func NewEvaluator(campaigns []*policies.Campaign, programs []*Program) *Evaluator {
	e := &Evaluator{programs: make(map[*policies.Campaign]*Program, len(campaigns)), byID: make(map[string]*Program, len(campaigns))}
	for i, c := range campaigns {
		e.programs[c], e.byID[c.ID] = programs[i], programs[i]
	}
	e.leaves, e.filters = numberLeaves(programs)
	compact(programs)
	return e
}

// Decide implements policies.Rules.
func (e *Evaluator) Decide(_ context.Context, req *policies.Request, campaigns []*policies.Campaign, out []policies.Verdict) error {
	f, _ := e.facts.Get().(*facts)
	if f == nil {
		f = new(facts)
	}
	f.reset(req, e.filters, e.leaves)
	for i, c := range campaigns {
		out[i] = e.decide(f, c)
	}
	f.clear()
	e.facts.Put(f)
	return nil
}

func (e *Evaluator) decide(f *facts, c *policies.Campaign) policies.Verdict {
	p := e.programs[c]
	if p == nil {
		if p = e.byID[c.ID]; p == nil {
			return policies.Verdict{Err: fmt.Errorf("campaign %s has no when: block", c.ID)}
		}
	}
	eligible, reasons, failed := p.decide(f)
	if failed != 0 {
		return policies.Verdict{Err: fmt.Errorf("rule %s: %s", p.rule, riskText[failed])}
	}
	return policies.Verdict{Eligible: eligible, Reasons: reasons}
}
