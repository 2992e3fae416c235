package sidecar

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
	"github.com/valyala/fasthttp"
)

// Collectors that read what other packages own, at scrape time: nothing
// of this is on a request's path.

var (
	limitDesc = prometheus.NewDesc("promoedge_campaign_limit",
		"A limit of an active campaign: limit=redemptions (count) or budget (minor units).", []string{"campaign", "limit"}, nil)
	usedDesc = prometheus.NewDesc("promoedge_campaign_used",
		"Cluster-wide use of a limit of an active campaign, as evaluate reads it: limit=redemptions (count) or budget (minor units).", []string{"campaign", "limit"}, nil)
	bundleDesc = prometheus.NewDesc("promoedge_bundle_info",
		"The active bundle revision (value 1).", []string{"revision"}, nil)
	bundleCampaignsDesc = prometheus.NewDesc("promoedge_bundle_campaigns",
		"Campaigns in the active bundle.", nil, nil)
	membersDesc = prometheus.NewDesc("promoedge_cluster_members",
		"Cluster members this node knows, by state (itself included).", []string{"state"}, nil)
)

// memberStates are the states GET /v1/cluster shows; each is exported,
// zero or not, so that a state that empties reads 0 rather than vanishing.
var memberStates = []string{"alive", "suspect", "dead"}

// usageTimeout bounds the usage reads of one scrape.
const usageTimeout = 5 * time.Second

// serverCollector exports the server's engine, state and fleet.
type serverCollector struct{ s *Server }

// Describe implements prometheus.Collector.
func (c serverCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{limitDesc, usedDesc, bundleDesc, bundleCampaignsDesc, membersDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c serverCollector) Collect(ch chan<- prometheus.Metric) {
	c.revision(ch)
	c.usage(ch)
	c.members(ch)
}

func (c serverCollector) revision(ch chan<- prometheus.Metric) {
	rev := c.s.engine.Revision()
	if rev == nil {
		return
	}
	ch <- constMetric(bundleDesc, prometheus.GaugeValue, 1, rev.ID)
	ch <- constMetric(bundleCampaignsDesc, prometheus.GaugeValue, float64(len(rev.Campaigns())))
}

// usage reads each limited campaign's use through the same interface
// GET /v1/campaigns does: one bbolt read (or the cluster's usage table)
// per campaign, per scrape.
func (c serverCollector) usage(ch chan<- prometheus.Metric) {
	rev := c.s.engine.Revision()
	if rev == nil || c.s.state == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), usageTimeout)
	defer cancel()
	for _, camp := range rev.Campaigns() {
		l := camp.Limits
		if l.Redemptions <= 0 && l.Budget <= 0 {
			continue
		}
		u, err := c.s.state.Used(ctx, camp.ID, "")
		if err != nil {
			ch <- prometheus.NewInvalidMetric(usedDesc, err)
			continue
		}
		if l.Redemptions > 0 {
			ch <- constMetric(limitDesc, prometheus.GaugeValue, float64(l.Redemptions), camp.ID, "redemptions")
			ch <- constMetric(usedDesc, prometheus.GaugeValue, float64(u.Redemptions), camp.ID, "redemptions")
		}
		if l.Budget > 0 {
			ch <- constMetric(limitDesc, prometheus.GaugeValue, float64(l.Budget), camp.ID, "budget")
			ch <- constMetric(usedDesc, prometheus.GaugeValue, float64(u.Spent), camp.ID, "budget")
		}
	}
}

func (c serverCollector) members(ch chan<- prometheus.Metric) {
	if c.s.fleet == nil {
		return
	}
	count := map[string]int{}
	for _, m := range c.s.fleet.Members() {
		count[m.State]++
	}
	for _, st := range memberStates {
		ch <- constMetric(membersDesc, prometheus.GaugeValue, float64(count[st]), st)
	}
}

// WasmStats are the counters of the custom wasm rule modules (a
// *wasm.Stats that bundle loading counts into), read at scrape time.
type WasmStats interface {
	Calls() int64
	Instances() int64
	Recycled() int64
	Hosts() int64
	Errors() map[string]int64 // failed calls by kind
}

// ReadWasm exports s at GET /metrics under the names the wasm counters
// always had. Metrics without it show no wasm series.
func (m *Metrics) ReadWasm(s WasmStats) error {
	if err := m.reg.Register(wasmCollector{s}); err != nil {
		return fmt.Errorf("sidecar: metrics read wasm counters already: %w", err)
	}
	return nil
}

// wasmCollector exports the wasm counters.
type wasmCollector struct{ s WasmStats }

var (
	wasmCallsDesc     = prometheus.NewDesc("promoedge_wasm_calls_total", "Calls of custom wasm rule modules.", nil, nil)
	wasmInstancesDesc = prometheus.NewDesc("promoedge_wasm_instances_total", "Instances of wasm rule modules created.", nil, nil)
	wasmRecycledDesc  = prometheus.NewDesc("promoedge_wasm_recycled_total", "Wasm instances closed after a trap, a timeout or running out of memory.", nil, nil)
	wasmHostsDesc     = prometheus.NewDesc("promoedge_wasm_hosts", "Loaded bundles whose custom wasm modules are still in memory.", nil, nil)
	wasmErrorsDesc    = prometheus.NewDesc("promoedge_wasm_errors_total", "Failed wasm rule calls by kind (the campaign was rejected with error): timeout, memory, trap, output, input, busy.", []string{"kind"}, nil)
)

// Describe implements prometheus.Collector.
func (wasmCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{wasmCallsDesc, wasmInstancesDesc, wasmRecycledDesc, wasmHostsDesc, wasmErrorsDesc} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c wasmCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- constMetric(wasmCallsDesc, prometheus.CounterValue, float64(c.s.Calls()))
	ch <- constMetric(wasmInstancesDesc, prometheus.CounterValue, float64(c.s.Instances()))
	ch <- constMetric(wasmRecycledDesc, prometheus.CounterValue, float64(c.s.Recycled()))
	ch <- constMetric(wasmHostsDesc, prometheus.GaugeValue, float64(c.s.Hosts()))
	for kind, n := range c.s.Errors() {
		ch <- constMetric(wasmErrorsDesc, prometheus.CounterValue, float64(n), kind)
	}
}

// constMetric is a metric whose labels match its desc by construction; a
// mismatch is reported by the scrape, not a panic.
func constMetric(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) prometheus.Metric {
	m, err := prometheus.NewConstMetric(d, t, v, labels...)
	if err != nil {
		return prometheus.NewInvalidMetric(d, err)
	}
	return m
}

// metricFormats are what GET /metrics answers in, by preference: the
// text format unless the scraper asks for protobuf.
var metricFormats = []expfmt.Format{expfmt.NewFormat(expfmt.TypeProtoDelim), expfmt.NewFormat(expfmt.TypeTextPlain)}

// serveMetrics gathers the registry and encodes it straight into the
// response (no net/http adaptor). A collector that fails costs its own
// series only: the rest is served, and promoedge_scrape_errors_total
// counts the failure.
func (s *Server) serveMetrics(ctx *fasthttp.RequestCtx, _ []string) {
	m := s.metrics
	mfs, err := m.reg.Gather()
	if err != nil {
		m.scrapeErrors.Inc()
	}
	format := expfmt.NegotiateAccept(http.Header{"Accept": {string(ctx.Request.Header.Peek("Accept"))}}, metricFormats...)
	ctx.SetContentType(string(format))
	enc := expfmt.NewEncoder(ctx, format)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			writeError(ctx, fasthttp.StatusInternalServerError, errorBody{Code: codeInternal, Message: "encoding metrics: " + err.Error()})
			return
		}
	}
}
