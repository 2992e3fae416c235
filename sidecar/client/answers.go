package client

import (
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/api"
)

// Receipt is Redeem's answer: the decision of the committed cart and the
// redemption's id.
type Receipt struct {
	RedemptionID string `json:"redemption_id"`
	policies.Decision
	// Replayed says this is the stored answer of an earlier Redeem with
	// the same idempotency key and body: nothing was committed this time
	// (the sidecar's Idempotent-Replayed header).
	Replayed bool `json:"-"`
}

// The answers whose wire type the sidecar writes from sidecar/api: one
// definition for both sides.
type (
	// Redemption is a redemption as Rollback (and the ledger) shows it.
	Redemption = api.Redemption
	// Campaigns is the answer of Campaigns: the active bundle's campaigns
	// in application order.
	Campaigns = api.Campaigns
	// Campaign is a campaign of the active bundle with its live usage.
	Campaign = api.Campaign
	// Limits caps a campaign's use; zero is unlimited.
	Limits = api.Limits
	// Usage is the live use of a campaign's limits, cluster-wide; the
	// *Left fields are nil for limits the campaign does not have.
	Usage = api.Usage
)

// Code is a code as GET /v1/codes/{code} shows it (admin).
type Code = policies.Code
