package client

import (
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Receipt is Redeem's answer: the decision of the committed cart and the
// redemption's id.
type Receipt struct {
	RedemptionID string `json:"redemption_id"`
	policies.Decision
}

// Redemption is a redemption as Rollback (and the ledger) shows it.
type Redemption struct {
	ID           string                      `json:"redemption_id"`
	OrderID      string                      `json:"order_id"`
	CustomerID   string                      `json:"customer_id"`
	CreatedAt    time.Time                   `json:"created_at"`
	Status       policies.RedemptionStatus   `json:"status"` // redeemed or rolled_back
	RolledBackAt *time.Time                  `json:"rolled_back_at,omitempty"`
	Currency     string                      `json:"currency"`
	Campaigns    []policies.RedeemedCampaign `json:"campaigns"`
	Discount     int64                       `json:"discount"` // lines and shipping
	Total        int64                       `json:"total"`
}

// Campaigns is the answer of Campaigns: the active bundle's campaigns in
// application order.
type Campaigns struct {
	BundleRevision string     `json:"bundle_revision"`
	Campaigns      []Campaign `json:"campaigns"`
}

// Campaign is a campaign of the active bundle with its live usage.
type Campaign struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Status      string            `json:"status"` // active, disabled, not_started, expired
	Enabled     bool              `json:"enabled"`
	Priority    int64             `json:"priority"`
	Stacking    policies.Stacking `json:"stacking"`
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
}

// Limits caps a campaign's use; zero is unlimited.
type Limits struct {
	Redemptions int64 `json:"redemptions,omitempty"`
	PerCustomer int64 `json:"per_customer,omitempty"`
	Budget      int64 `json:"budget,omitempty"`
}

// Usage is the live use of a campaign's limits, cluster-wide; the *Left
// fields are nil for limits the campaign does not have.
type Usage struct {
	Redemptions     int64  `json:"redemptions"`
	BudgetSpent     int64  `json:"budget_spent"`
	RedemptionsLeft *int64 `json:"redemptions_left,omitempty"`
	BudgetLeft      *int64 `json:"budget_left,omitempty"`
}

// Code is a generated code.
type Code struct {
	Code      string    `json:"code"`
	Campaign  string    `json:"campaign"`
	State     string    `json:"state"` // active or used
	Uses      int64     `json:"uses"`
	MaxUses   int64     `json:"max_uses"`
	Owner     string    `json:"owner,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// errorBody is the body of every error answer.
type errorBody struct {
	Error struct {
		Code    string   `json:"code"`
		Message string   `json:"message"`
		Field   string   `json:"field"`
		Details []string `json:"details"`
	} `json:"error"`
}
