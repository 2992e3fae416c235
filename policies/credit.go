package policies

import "time"

// Credit is one movement of a customer's points: positive when a
// redemption earns them, negative when its rollback takes them back. The
// shape leaves room for an expiry policy (ExpiresAt) and a wallet API.
type Credit struct {
	Customer   string     `json:"customer"`
	Campaign   string     `json:"campaign"`
	Redemption string     `json:"redemption_id"`
	Points     int64      `json:"points"`
	At         time.Time  `json:"at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
}
