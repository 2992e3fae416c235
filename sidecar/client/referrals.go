package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/promoedge/promoedge/policies"
)

// IssueReferral asks for customerID's code of a referral programme
// (POST /v1/referrals); the same referrer gets the same code. email,
// when given, is kept for the self-referral check.
func (c *Client) IssueReferral(ctx context.Context, campaign, customerID, email string) (*policies.Referral, error) {
	in := map[string]any{"campaign": campaign, "customer_id": customerID}
	if email != "" {
		in["customer"] = map[string]any{"id": customerID, "email": email}
	}
	var out policies.Referral
	if err := c.call(ctx, http.MethodPost, "/v1/referrals", in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Referral reads a referral code and its successful referrals.
func (c *Client) Referral(ctx context.Context, code string) (*policies.ReferralView, error) {
	var out policies.ReferralView
	if err := c.call(ctx, http.MethodGet, "/v1/referrals/"+url.PathEscape(code), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
