package sidecar

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/api"
)

// Webhooks is the delivery of notices to endpoints (SPEC §13); cmd hands
// in the webhook worker.
type Webhooks interface {
	// Status is each configured endpoint's counters.
	Status(ctx context.Context) ([]policies.WebhookStatus, error)
}

// statusTimeout bounds one read of the webhooks' status.
const statusTimeout = 5 * time.Second

// getWebhooks is GET /v1/webhooks (admin): every endpoint, by name; none
// without --webhook.
func (s *Server) getWebhooks(ctx *fasthttp.RequestCtx, _ []string) {
	out := api.Webhooks{Endpoints: []policies.WebhookStatus{}}
	if s.webhooks != nil {
		c, cancel := context.WithTimeout(ctx, statusTimeout)
		defer cancel()
		st, err := s.webhooks.Status(c)
		if err != nil {
			fail(ctx, err)
			return
		}
		out.Endpoints = append(out.Endpoints, st...)
	}
	writeJSON(ctx, fasthttp.StatusOK, out)
}

// ReadWebhooks exports w's counters at GET /metrics, read at scrape time.
func (m *Metrics) ReadWebhooks(w Webhooks) error {
	return m.reg.Register(webhookCollector{w})
}

type webhookCollector struct{ w Webhooks }

var (
	hookDeliveredDesc = prometheus.NewDesc("promoedge_webhook_delivered_total", "Notices delivered to a webhook endpoint (a 2xx), across restarts.", []string{"endpoint"}, nil)
	hookFailedDesc    = prometheus.NewDesc("promoedge_webhook_failed_total", "Notices given up on: retried past their period, or dropped by the endpoint's bound (dropped counts those).", []string{"endpoint"}, nil)
	hookDroppedDesc   = prometheus.NewDesc("promoedge_webhook_dropped_total", "Notices dropped because the endpoint's queue was full.", []string{"endpoint"}, nil)
	hookPendingDesc   = prometheus.NewDesc("promoedge_webhook_pending", "Notices waiting for delivery to an endpoint.", []string{"endpoint"}, nil)
)

// Describe implements prometheus.Collector.
func (webhookCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{hookDeliveredDesc, hookFailedDesc, hookDroppedDesc, hookPendingDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c webhookCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), statusTimeout)
	defer cancel()
	st, err := c.w.Status(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(hookPendingDesc, err)
		return
	}
	for _, e := range st {
		ch <- constMetric(hookDeliveredDesc, prometheus.CounterValue, float64(e.Delivered), e.Endpoint)
		ch <- constMetric(hookFailedDesc, prometheus.CounterValue, float64(e.Failed), e.Endpoint)
		ch <- constMetric(hookDroppedDesc, prometheus.CounterValue, float64(e.Dropped), e.Endpoint)
		ch <- constMetric(hookPendingDesc, prometheus.GaugeValue, float64(e.Pending), e.Endpoint)
	}
}
