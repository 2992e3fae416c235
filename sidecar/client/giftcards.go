package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/promoedge/promoedge/policies"
)

// GiftCard is a generated code with, for a gift card, its balance and
// ledger (GET /v1/codes/{code}, admin).
type GiftCard struct {
	policies.Code
	// CardView is nil when the code is not a gift card.
	*policies.CardView
}

// GiftCard looks a code up with its gift card balance and transactions.
func (c *Client) GiftCard(ctx context.Context, code string) (*GiftCard, error) {
	var g GiftCard
	if err := c.call(ctx, http.MethodGet, "/v1/codes/"+url.PathEscape(code), nil, &g); err != nil {
		return nil, err
	}
	return &g, nil
}

// ChangeBalance tops a gift card up (amount > 0) or takes from it
// (amount < 0), once per key (admin). A removal past zero is an
// *APIError with status 409 and code balance_below_zero.
func (c *Client) ChangeBalance(ctx context.Context, code string, amount int64, key string) (*policies.GiftCardTx, error) {
	in := map[string]any{"amount": amount, "idempotency_key": key}
	var out policies.GiftCardTx
	if err := c.call(ctx, http.MethodPost, "/v1/codes/"+url.PathEscape(code)+"/balance", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
