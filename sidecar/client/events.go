package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Event is a customer event (POST /v1/events).
type Event struct {
	ID         string         `json:"id"`
	Type       string         `json:"type"`
	CustomerID string         `json:"customer_id"`
	At         *time.Time     `json:"at,omitempty"`
	CartID     string         `json:"cart_id,omitempty"`
	Attributes map[string]any `json:"attributes,omitempty"`
	// Customer is what the triggers' when: blocks read of the customer
	// (segments, tier, attributes ...), as in a pricing request.
	Customer map[string]any `json:"customer,omitempty"`
}

// RecordEvent records ev, once per ev.ID, and returns what it earned and
// the triggers it cancelled, fired, scheduled or did not start.
func (c *Client) RecordEvent(ctx context.Context, ev *Event) (*policies.EarnResult, error) {
	var r policies.EarnResult
	if err := c.call(ctx, http.MethodPost, "/v1/events", ev, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// EventByID reads a recorded event and where its triggers stand now
// (admin).
func (c *Client) EventByID(ctx context.Context, id string) (*policies.EventView, error) {
	var v policies.EventView
	if err := c.call(ctx, http.MethodGet, "/v1/events/"+url.PathEscape(id), nil, &v); err != nil {
		return nil, err
	}
	return &v, nil
}
