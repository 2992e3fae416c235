package client

import (
	"context"
	"net/http"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// ShadowReport is what a shadow bundle priced differently from the active
// one (GET /v1/bundles/shadow).
type ShadowReport = policies.ShadowReport

// BundleActivation is a bundle that became active.
type BundleActivation struct {
	Revision    string    `json:"revision"`
	ActivatedAt time.Time `json:"activated_at"`
	Source      string    `json:"source"`
	Campaigns   int       `json:"campaigns"`
}

// LoadShadow loads a bundle (.tar.gz) as the shadow bundle (admin): it
// prices every evaluate too, off the answer's path. A bundle that does
// not load is an *APIError with code bundle_refused and every problem in
// Details, and nothing changes.
func (c *Client) LoadShadow(ctx context.Context, bundle []byte) (*ShadowReport, error) {
	var rep ShadowReport
	if err := c.call(ctx, http.MethodPut, "/v1/bundles?shadow=true", tarball(bundle), &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

// Shadow reports the shadow bundle (admin); an *APIError with code
// no_shadow (404) when none is loaded.
func (c *Client) Shadow(ctx context.Context) (*ShadowReport, error) {
	var rep ShadowReport
	if err := c.call(ctx, http.MethodGet, "/v1/bundles/shadow", nil, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

// DropShadow stops the shadow bundle (admin) and returns its last report.
func (c *Client) DropShadow(ctx context.Context) (*ShadowReport, error) {
	var rep ShadowReport
	if err := c.call(ctx, http.MethodDelete, "/v1/bundles/shadow", nil, &rep); err != nil {
		return nil, err
	}
	return &rep, nil
}

// PromoteShadow makes the shadow bundle the active one (admin); an
// *APIError with code no_shadow (409) when none is loaded.
func (c *Client) PromoteShadow(ctx context.Context) (*BundleActivation, error) {
	var out struct {
		Active BundleActivation `json:"active"`
	}
	if err := c.call(ctx, http.MethodPost, "/v1/bundles/shadow/promote", nil, &out); err != nil {
		return nil, err
	}
	return &out.Active, nil
}
