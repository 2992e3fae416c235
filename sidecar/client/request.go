package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Request is the body of Evaluate (docs/api.md#requests): a cart, who buys it, in what
// context, with which codes.
type Request struct {
	Cart     Cart      `json:"cart"`
	Customer *Customer `json:"customer,omitempty"` // nil: an anonymous cart
	Context  *Context  `json:"context,omitempty"`
	Codes    []string  `json:"codes,omitempty"`
	// Explain lists campaigns that need a code the request did not present
	// as rejected with code_required instead of leaving them out.
	Explain bool `json:"explain,omitempty"`
	// Rewards are loyalty rewards to spend the customer's points on,
	// applied after every campaign.
	Rewards []string `json:"rewards,omitempty"`
	// Extra are more top-level fields, kept by the sidecar and visible to
	// rules as input.<key>; a key of the fields above is refused.
	Extra map[string]any `json:"-"`
}

// Cart is what is being bought. Amounts are minor units.
type Cart struct {
	ID       string    `json:"id,omitempty"`
	Currency string    `json:"currency"` // ISO 4217
	Items    []Item    `json:"items"`
	Shipping *Shipping `json:"shipping,omitempty"`
}

// Item is one cart line; ID is unique in the cart.
type Item struct {
	ID         string         `json:"id"`
	SKU        string         `json:"sku,omitempty"`
	Categories []string       `json:"categories,omitempty"`
	Quantity   int64          `json:"quantity"`
	UnitPrice  int64          `json:"unit_price"`
	Attributes map[string]any `json:"attributes,omitempty"`
}

// Shipping is the cart's shipping charge.
type Shipping struct {
	Method string `json:"method,omitempty"`
	Amount int64  `json:"amount"`
}

// Customer is who buys.
type Customer struct {
	ID       string   `json:"id,omitempty"`
	Tier     string   `json:"tier,omitempty"`
	Segments []string `json:"segments,omitempty"`
	Country  string   `json:"country,omitempty"`
	Timezone string   `json:"timezone,omitempty"` // IANA, e.g. "Europe/Dublin"
	Birthday string   `json:"birthday,omitempty"` // YYYY-MM-DD
	// Email is kept for the self-referral check of referral codes (SPEC §9).
	Email string `json:"email,omitempty"`
	// OrdersCount is nil when unknown (rules then read it as absent).
	OrdersCount *int64         `json:"orders_count,omitempty"`
	CreatedAt   time.Time      `json:"created_at,omitzero"`
	LastOrderAt time.Time      `json:"last_order_at,omitzero"`
	Attributes  map[string]any `json:"attributes,omitempty"`
}

// Context is where and when the request happens; a zero Now is the
// sidecar's clock.
type Context struct {
	Now     time.Time `json:"now,omitzero"`
	Channel string    `json:"channel,omitempty"`
	StoreID string    `json:"store_id,omitempty"`
	Country string    `json:"country,omitempty"`
}

// RedeemRequest is the body of Redeem: a Request plus the order it
// commits. The same IdempotencyKey with the same body returns the stored
// answer; with another body, ErrIdempotencyConflict.
type RedeemRequest struct {
	Request
	OrderID        string // at most 256 bytes
	IdempotencyKey string // at most 256 bytes
	// ReservationID commits that reservation (Reserve) with this cart.
	ReservationID string
}

// MarshalJSON writes the typed fields, then Extra in key order: the same
// request always makes the same bytes, as idempotent redeems need.
func (r Request) MarshalJSON() ([]byte, error) {
	return r.appendJSON(nil)
}

// MarshalJSON is the request's body with order_id and idempotency_key.
func (r RedeemRequest) MarshalJSON() ([]byte, error) {
	more := map[string]any{"order_id": r.OrderID, "idempotency_key": r.IdempotencyKey}
	if r.ReservationID != "" {
		more["reservation_id"] = r.ReservationID
	}
	return r.Request.appendJSON(more)
}

// typed are the field names Request writes itself.
var typed = map[string]bool{"cart": true, "customer": true, "context": true, "codes": true, "explain": true, "rewards": true,
	"order_id": true, "idempotency_key": true, "reservation_id": true, "ttl_seconds": true}

func (r *Request) appendJSON(more map[string]any) ([]byte, error) {
	type plain Request // without the MarshalJSON method
	b, err := json.Marshal((*plain)(r))
	if err != nil {
		return nil, fmt.Errorf("encoding the request: %w", err)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Extra)) {
		if typed[k] {
			return nil, fmt.Errorf("encoding the request: Extra[%q] is a typed field of the request", k)
		}
	}
	fields := maps.Clone(r.Extra)
	if fields == nil {
		fields = map[string]any{}
	}
	maps.Copy(fields, more)
	buf := bytes.NewBuffer(b[:len(b)-1]) // without the closing brace
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v, err := json.Marshal(fields[k])
		if err != nil {
			return nil, fmt.Errorf("encoding the request's %s: %w", k, err)
		}
		key, _ := json.Marshal(k)
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
