package api

import "github.com/promoedge/promoedge/policies"

// Webhooks is GET /v1/webhooks: each configured endpoint's deliveries.
type Webhooks struct {
	Endpoints []policies.WebhookStatus `json:"endpoints"`
}
