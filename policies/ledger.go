package policies

import (
	"context"
	"time"
)

// LedgerQuery selects redemptions of the ledger. Every part that is set
// must match; a zero LedgerQuery selects every redemption.
type LedgerQuery struct {
	Campaign string    // one of the campaigns the redemption applied
	Customer string    // the redemption's customer
	Order    string    // the redemption's order id
	Code     string    // a code the redemption used (as any code: case and spaces aside)
	Since    time.Time // redeemed at or after
}

// Match reports whether r has q's campaign, customer, order and code.
// Since is left to the ledger, which keeps redemptions in time order.
func (q *LedgerQuery) Match(r *Redemption) bool {
	if q.Customer != "" && r.CustomerID != q.Customer {
		return false
	}
	if q.Order != "" && r.OrderID != q.Order {
		return false
	}
	return q.matchCampaigns(r)
}

// matchCampaigns reports whether one campaign of r is q's campaign, and
// one used q's code.
func (q *LedgerQuery) matchCampaigns(r *Redemption) bool {
	campaign, code := q.Campaign == "", q.Code == ""
	want := normalizeCode(q.Code)
	for _, c := range r.Campaigns {
		campaign = campaign || c.Campaign == q.Campaign
		code = code || (c.Code != "" && normalizeCode(c.Code) == want)
	}
	return campaign && code
}

// Ledger lists committed redemptions. The bbolt store implements it.
type Ledger interface {
	// Redemptions calls emit for every redemption q selects, in the order
	// they were redeemed, with its current status. It stops at emit's
	// first error.
	Redemptions(ctx context.Context, q LedgerQuery, emit func(*Redemption) error) error
}
