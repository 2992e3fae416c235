package api

import (
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Redemption is a redemption as a rollback and the ledger show it.
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

// Reservation is a reservation as GET and DELETE /v1/reservations/{id}
// show it (SPEC §10).
type Reservation struct {
	ID         string                    `json:"reservation_id"`
	Status     policies.RedemptionStatus `json:"status"` // held, committed, released or expired
	OrderID    string                    `json:"order_id,omitempty"`
	CustomerID string                    `json:"customer_id"`
	CreatedAt  time.Time                 `json:"created_at"`
	ExpiresAt  time.Time                 `json:"expires_at"`
	// RedemptionID is the redemption a committed reservation became.
	RedemptionID string                      `json:"redemption_id,omitempty"`
	ReleasedAt   *time.Time                  `json:"released_at,omitempty"`
	Currency     string                      `json:"currency"`
	Campaigns    []policies.RedeemedCampaign `json:"campaigns"`
	Discount     int64                       `json:"discount"`
	Total        int64                       `json:"total"`
}
