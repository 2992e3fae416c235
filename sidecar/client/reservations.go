package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/api"
)

// ReserveRequest is the body of Reserve: a Request, the key that makes it
// idempotent, an optional order id, and how long to hold (0: the
// sidecar's default, 15 minutes; at most 7 days, in whole seconds).
type ReserveRequest struct {
	Request
	OrderID        string
	IdempotencyKey string
	TTL            time.Duration
}

// MarshalJSON is the request's body with idempotency_key, and order_id and
// ttl_seconds when set.
func (r ReserveRequest) MarshalJSON() ([]byte, error) {
	more := map[string]any{"idempotency_key": r.IdempotencyKey}
	if r.OrderID != "" {
		more["order_id"] = r.OrderID
	}
	if r.TTL > 0 {
		more["ttl_seconds"] = int64(r.TTL / time.Second)
	}
	return r.Request.appendJSON(more)
}

// Hold is Reserve's answer: the decision of the reserved cart, the
// reservation's id and when it expires.
type Hold struct {
	ReservationID string    `json:"reservation_id"`
	ExpiresAt     time.Time `json:"expires_at"`
	policies.Decision
	// Replayed: the stored answer of an earlier Reserve with the same key
	// and body.
	Replayed bool `json:"-"`
}

// Reservation is a reservation as GetReservation and Release show it.
type Reservation = api.Reservation

// Reserve holds everything a redemption of req would consume until it is
// committed (Redeem with ReservationID), released, or expires.
func (c *Client) Reserve(ctx context.Context, req *ReserveRequest) (*Hold, error) {
	var h Hold
	hdr, err := c.callHeader(ctx, http.MethodPost, "/v1/reservations", req, &h)
	if err != nil {
		return nil, err
	}
	h.Replayed = hdr.Get("Idempotent-Replayed") == "true"
	return &h, nil
}

// GetReservation says where reservation id stands: held, committed,
// released or expired.
func (c *Client) GetReservation(ctx context.Context, id string) (*Reservation, error) {
	var r Reservation
	if err := c.call(ctx, http.MethodGet, "/v1/reservations/"+url.PathEscape(id), nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Release gives back what reservation id holds, once; a second call
// changes nothing.
func (c *Client) Release(ctx context.Context, id string) (*Reservation, error) {
	var r Reservation
	if err := c.call(ctx, http.MethodDelete, "/v1/reservations/"+url.PathEscape(id), nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
