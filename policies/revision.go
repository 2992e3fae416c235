package policies

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Revision is one immutable, indexed set of campaigns with the rules that
// decide them: what a bundle becomes once loaded. Requests read it without
// locks; a new bundle is a new Revision.
type Revision struct {
	ID     string    // the bundle's revision
	Source string    // where it came from
	Loaded time.Time // when it was built
	// Loyalty is the bundle's loyalty program; nil without one. Set by the
	// loader before the revision is published, read-only after.
	Loyalty *Program
	// Triggers are the bundle's triggers (SPEC §13); nil without any. Set
	// by the loader before the revision is published, read-only after.
	Triggers *Triggers

	campaigns []*Campaign          // priority desc, then id
	byID      map[string]*Campaign // every campaign
	byCode    map[string]*Campaign // upper-cased public code
	auto      []*Campaign          // campaigns that need no code, in order
	autoRank  []int32              // rank of each of auto
	rank      map[*Campaign]int    // position in campaigns
	// groupRank is the rank of each best-deal group's highest member:
	// where the group is decided. nil when no campaign is Best.
	groupRank map[string]int32
	rules     Rules
}

// NewRevision indexes campaigns. rules decides every campaign with a rule;
// it may be nil when none has one. Two campaigns with the same public code
// (compared case-insensitively) are refused.
func NewRevision(id, source string, campaigns []*Campaign, rules Rules) (*Revision, error) {
	r := &Revision{
		ID: id, Source: source, Loaded: time.Now(),
		campaigns: append([]*Campaign(nil), campaigns...),
		byID:      make(map[string]*Campaign, len(campaigns)),
		byCode:    make(map[string]*Campaign),
		rank:      make(map[*Campaign]int, len(campaigns)),
		rules:     rules,
	}
	sort.Slice(r.campaigns, func(i, j int) bool { return before(r.campaigns[i], r.campaigns[j]) })
	var problems []string
	for i, c := range r.campaigns {
		r.rank[c] = i
		r.byID[c.ID] = c
		switch {
		case c.Code != "":
			key := normalizeCode(c.Code)
			if other, dup := r.byCode[key]; dup {
				problems = append(problems, fmt.Sprintf("campaigns %s and %s share the code %q", other.ID, c.ID, c.Code))
			}
			r.byCode[key] = c
		case !c.UniqueCodes:
			r.auto = append(r.auto, c)
			r.autoRank = append(r.autoRank, int32(i))
		}
		if c.Stacking == Best && c.Group != "" {
			if r.groupRank == nil {
				r.groupRank = map[string]int32{}
			}
			if _, ok := r.groupRank[c.Group]; !ok {
				r.groupRank[c.Group] = int32(i)
			}
		}
		if c.HasRule() && rules == nil {
			problems = append(problems, fmt.Sprintf("campaign %s has a rule but no evaluator was given", c.ID))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidCampaign, strings.Join(problems, "; "))
	}
	return r, nil
}

// before is the order campaigns apply in: higher priority first, ties by id.
func before(a, b *Campaign) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return a.ID < b.ID
}

// normalizeCode is how presented codes are compared: case-insensitive,
// without surrounding space.
func normalizeCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// Campaigns lists the campaigns in the order they apply.
func (r *Revision) Campaigns() []*Campaign { return r.campaigns }

// Campaign returns one campaign by id.
func (r *Revision) Campaign(id string) (*Campaign, error) {
	c, ok := r.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownCampaign, id)
	}
	return c, nil
}
