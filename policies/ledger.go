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
	Since    time.Time // redeemed at or after
}

// Match reports whether r has q's campaign and customer. Since is left to
// the ledger, which keeps redemptions in time order.
func (q *LedgerQuery) Match(r *Redemption) bool {
	if q.Customer != "" && r.CustomerID != q.Customer {
		return false
	}
	if q.Campaign == "" {
		return true
	}
	for _, c := range r.Campaigns {
		if c.Campaign == q.Campaign {
			return true
		}
	}
	return false
}

// Ledger lists committed redemptions. The bbolt store implements it.
type Ledger interface {
	// Redemptions calls emit for every redemption q selects, in the order
	// they were redeemed, with its current status. It stops at emit's
	// first error.
	Redemptions(ctx context.Context, q LedgerQuery, emit func(*Redemption) error) error
}
