package client

import (
	"context"
	"net/http"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/api"
)

// WebhookStatus is one endpoint's deliveries: delivered, pending, failed
// (dropped by the bound among them), the last error and success.
type WebhookStatus = policies.WebhookStatus

// Webhooks is GET /v1/webhooks (admin): every configured endpoint, by
// name; none when the sidecar has no --webhook.
func (c *Client) Webhooks(ctx context.Context) ([]WebhookStatus, error) {
	var out api.Webhooks
	if err := c.call(ctx, http.MethodGet, "/v1/webhooks", nil, &out); err != nil {
		return nil, err
	}
	return out.Endpoints, nil
}
