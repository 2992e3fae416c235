package sidecar

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/wasm"
)

// metrics are the counters GET /metrics shows in the Prometheus text format.
type metrics struct {
	mu       sync.Mutex
	requests map[[2]string]*atomic.Int64 // route, status -> count

	evalCount   atomic.Int64
	evalNanos   atomic.Int64
	ruleErrors  atomic.Int64
	applied     atomic.Int64
	discountSum atomic.Int64
}

func newMetrics() *metrics { return &metrics{requests: map[[2]string]*atomic.Int64{}} }

func (m *metrics) request(route string, status int) {
	key := [2]string{route, fmt.Sprint(status)}
	m.mu.Lock()
	c, ok := m.requests[key]
	if !ok {
		c = new(atomic.Int64)
		m.requests[key] = c
	}
	m.mu.Unlock()
	c.Add(1)
}

func (m *metrics) evaluated(d *policies.Decision, took time.Duration) {
	m.evalCount.Add(1)
	m.evalNanos.Add(int64(took))
	m.applied.Add(int64(len(d.Applied)))
	m.discountSum.Add(d.Discount + d.ShippingDiscount)
	for i := range d.Rejected {
		if d.Rejected[i].Reason == policies.RuleError {
			m.ruleErrors.Add(1)
		}
	}
}

func (s *Server) serveMetrics(ctx *fasthttp.RequestCtx, _ []string) {
	m := s.metrics
	ctx.SetContentType("text/plain; version=0.0.4")
	fmt.Fprintln(ctx, "# HELP promoedge_http_requests_total HTTP requests by route and status.")
	fmt.Fprintln(ctx, "# TYPE promoedge_http_requests_total counter")
	m.mu.Lock()
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(ctx, "promoedge_http_requests_total{route=%q,code=%q} %d\n", k[0], k[1], m.requests[k].Load())
	}
	m.mu.Unlock()
	counter(ctx, "promoedge_evaluations_total", "Carts priced.", m.evalCount.Load())
	fmt.Fprintln(ctx, "# HELP promoedge_evaluation_seconds_total Time spent pricing carts.")
	fmt.Fprintln(ctx, "# TYPE promoedge_evaluation_seconds_total counter")
	fmt.Fprintf(ctx, "promoedge_evaluation_seconds_total %g\n", time.Duration(m.evalNanos.Load()).Seconds())
	counter(ctx, "promoedge_rule_errors_total", "Campaigns rejected because their rule failed.", m.ruleErrors.Load())
	counter(ctx, "promoedge_applied_effects_total", "Effects applied to priced carts.", m.applied.Load())
	counter(ctx, "promoedge_discount_minor_units_total", "Discount offered by evaluate, all currencies.", m.discountSum.Load())
	wasm.WriteMetrics(ctx) // calls, failures by kind and instances of custom wasm rules
	rev := ""
	if r := s.engine.Revision(); r != nil {
		rev = r.ID
	}
	fmt.Fprintln(ctx, "# HELP promoedge_bundle_info The active bundle revision.")
	fmt.Fprintln(ctx, "# TYPE promoedge_bundle_info gauge")
	fmt.Fprintf(ctx, "promoedge_bundle_info{revision=%q} 1\n", rev)
}

func counter(ctx *fasthttp.RequestCtx, name, help string, v int64) {
	fmt.Fprintf(ctx, "# HELP %s %s\n# TYPE %s counter\n%s %d\n", name, help, name, name, v)
}
