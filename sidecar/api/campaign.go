package api

import (
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Campaigns is the answer of GET /v1/campaigns: the active bundle's
// campaigns in application order.
type Campaigns struct {
	BundleRevision string     `json:"bundle_revision"`
	Campaigns      []Campaign `json:"campaigns"`
}

// Campaign is a campaign of the active bundle with its live usage, as GET
// /v1/campaigns and /v1/campaigns/{id} show it.
type Campaign struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Status      string            `json:"status"` // active, disabled, not_started, expired
	Enabled     bool              `json:"enabled"`
	Priority    int64             `json:"priority"`
	Stacking    policies.Stacking `json:"stacking"`
	Group       string            `json:"group,omitempty"` // the best-deal group (stacking best)
	Code        string            `json:"code,omitempty"`
	UniqueCodes bool              `json:"unique_codes,omitempty"`
	ValidFrom   *time.Time        `json:"valid_from,omitempty"`
	ValidUntil  *time.Time        `json:"valid_until,omitempty"` // exclusive
	Timezone    string            `json:"timezone"`
	Currency    string            `json:"currency,omitempty"`
	Rule        string            `json:"rule,omitempty"`
	Wasm        string            `json:"wasm,omitempty"`
	Limits      Limits            `json:"limits"`
	Usage       *Usage            `json:"usage,omitempty"` // nil on a sidecar without a store
	// Effects are the effects as the campaign document declares them.
	Effects []map[string]any `json:"effects"`
	// Variants make the campaign an experiment (GET /v1/experiments/{id});
	// Phase names their definition.
	Variants []Variant `json:"variants,omitempty"`
	Phase    string    `json:"phase,omitempty"`
}

// Variant is one arm of an experiment, as the campaign declares it.
type Variant struct {
	Name    string           `json:"name"`
	Weight  int64            `json:"weight"`
	Holdout bool             `json:"holdout,omitempty"`
	Effects []map[string]any `json:"effects,omitempty"`
}

// Limits caps a campaign's use; zero is unlimited.
type Limits struct {
	Redemptions int64 `json:"redemptions,omitempty"`
	PerCustomer int64 `json:"per_customer,omitempty"`
	Budget      int64 `json:"budget,omitempty"`
	// PerPeriod are the limits counted within each calendar period of the
	// campaign's zone; nil without.
	PerPeriod *PeriodLimits `json:"per_period,omitempty"`
}

// PeriodLimits caps a campaign's use within each day, week or month.
type PeriodLimits struct {
	Period      policies.PeriodKind `json:"period"`
	Redemptions int64               `json:"redemptions,omitempty"`
	PerCustomer int64               `json:"per_customer,omitempty"`
	Budget      int64               `json:"budget,omitempty"`
}

// LimitsOf is l as the wire shows it.
func LimitsOf(l policies.Limits) Limits {
	out := Limits{Redemptions: l.Redemptions, PerCustomer: l.PerCustomer, Budget: l.Budget}
	if p := l.PerPeriod; p.Set() {
		out.PerPeriod = &PeriodLimits{Period: p.Kind, Redemptions: p.Redemptions, PerCustomer: p.PerCustomer, Budget: p.Budget}
	}
	return out
}

// Usage is the live use of a campaign's limits (fleet-wide when the
// sidecar is in a fleet); the *Left fields are nil for limits the campaign
// does not have.
type Usage struct {
	Redemptions     int64  `json:"redemptions"`
	BudgetSpent     int64  `json:"budget_spent"`
	RedemptionsLeft *int64 `json:"redemptions_left,omitempty"`
	BudgetLeft      *int64 `json:"budget_left,omitempty"`
	// Period is the use of the per-period limits in the period running
	// now; nil without per-period limits.
	Period *PeriodUsage `json:"period,omitempty"`
}

// PeriodUsage is the live use of a campaign's per-period limits in the
// period running now, [Start, End).
type PeriodUsage struct {
	Period          policies.PeriodKind `json:"period"`
	Start           time.Time           `json:"start"`
	End             time.Time           `json:"end"`
	Redemptions     int64               `json:"redemptions"`
	BudgetSpent     int64               `json:"budget_spent"`
	RedemptionsLeft *int64              `json:"redemptions_left,omitempty"`
	BudgetLeft      *int64              `json:"budget_left,omitempty"`
}
