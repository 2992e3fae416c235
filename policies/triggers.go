package policies

import (
	"context"
	"maps"
	"slices"
	"sort"
	"time"
)

// Triggers are a revision's triggers, indexed by the event type that
// starts them, with the rules that decide their when: blocks.
type Triggers struct {
	byID    map[string]*Trigger
	byEvent map[string][]*Trigger // by id within a type
	cancels map[string]bool       // event types some trigger's unless names
	rules   Rules
	standIn map[string]*Campaign // what rules decides for each trigger with a when: block
}

// NewTriggers indexes ts. rules decides the when: block of each trigger
// t that has one as the campaign standIn[t.ID] (the bundle loader
// compiles the blocks as campaigns' are); rules may be nil when none has.
func NewTriggers(ts []*Trigger, rules Rules, standIn map[string]*Campaign) *Triggers {
	s := &Triggers{byID: map[string]*Trigger{}, byEvent: map[string][]*Trigger{}, cancels: map[string]bool{}, rules: rules, standIn: standIn}
	sorted := append([]*Trigger(nil), ts...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	for _, t := range sorted {
		s.byID[t.ID] = t
		s.byEvent[t.Event] = append(s.byEvent[t.Event], t)
		for _, u := range t.Unless {
			s.cancels[u] = true
		}
	}
	return s
}

// Get is the trigger id, nil when there is none.
func (s *Triggers) Get(id string) *Trigger {
	if s == nil {
		return nil
	}
	return s.byID[id]
}

// List is every trigger, by id.
func (s *Triggers) List() []*Trigger {
	if s == nil {
		return nil
	}
	out := make([]*Trigger, 0, len(s.byID))
	for _, id := range slices.Sorted(maps.Keys(s.byID)) {
		out = append(out, s.byID[id])
	}
	return out
}

// For is the triggers an event of type typ starts, by id.
func (s *Triggers) For(typ string) []*Trigger {
	if s == nil {
		return nil
	}
	return s.byEvent[typ]
}

// Cancelling reports whether some trigger is cancelled by events of typ.
func (s *Triggers) Cancelling(typ string) bool { return s != nil && s.cancels[typ] }

// holds decides t's when: block on input at at: whether it holds, and
// why not.
func (s *Triggers) holds(ctx context.Context, t *Trigger, input map[string]any, customer string, at time.Time) (bool, []string, error) {
	c := s.standIn[t.ID]
	if t.When == nil || c == nil {
		return true, nil, nil
	}
	req := &Request{Input: input, Customer: Customer{ID: customer}, Context: Context{Now: at}}
	out := make([]Verdict, 1)
	if err := s.rules.Decide(ctx, req, []*Campaign{c}, out); err != nil {
		return false, nil, err
	}
	if out[0].Err != nil {
		return false, nil, out[0].Err
	}
	return out[0].Eligible, out[0].Reasons, nil
}
