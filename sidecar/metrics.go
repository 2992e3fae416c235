package sidecar

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/activation"
)

// Metrics are what GET /metrics shows, on a Prometheus registry of their
// own (not the process-wide default). What a request updates is resolved
// before the request: the latency histogram's children per route, method
// and status, and per campaign a block of atomic counters (campaigns.go)
// that a collector turns into series at scrape time. Everything read from
// elsewhere (limit usage, wasm counters, members, the active revision) is
// read at scrape time too (collectors.go).
//
// The cluster and the activator report to Metrics through their Observer
// hooks (cmd adapts the cluster's); make one with NewMetrics and hand it
// to them and to Deps, and the wasm counters to ReadWasm.
type Metrics struct {
	reg *prometheus.Registry

	latency     *prometheus.HistogramVec // route, method, code
	evaluations prometheus.Counter
	campaigns   campaignTable

	redemptions        *prometheus.CounterVec // campaign
	redeemedDiscount   *prometheus.CounterVec // campaign, currency
	replays            prometheus.Counter
	rollbacks          *prometheus.CounterVec // campaign
	rolledBackDiscount *prometheus.CounterVec // campaign, currency

	activations *prometheus.CounterVec // source
	refusals    *prometheus.CounterVec // source

	transfers   *prometheus.CounterVec // direction
	rightsMoved *prometheus.CounterVec // direction
	rightsWait  *prometheus.HistogramVec
	codesLearnt *prometheus.CounterVec // outcome

	decisionsDropped prometheus.Counter
	scrapeErrors     prometheus.Counter

	mu       sync.Mutex                                     // serializes additions to observers
	observer atomic.Pointer[map[reqKey]prometheus.Observer] // copied on write
}

var _ activation.Observer = (*Metrics)(nil)

// latencyBuckets go down to 50µs: evaluate answers in about 100µs, and a
// redemption that waits for rights from other nodes may take 2 s.
var latencyBuckets = []float64{
	50e-6, 100e-6, 200e-6, 500e-6, 1e-3, 2e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2.5, 5,
}

// reqKey names one child of the latency histogram.
type reqKey struct {
	route, method string
	code          int
}

// NewMetrics returns the sidecar's metrics with the Go runtime and process
// collectors registered beside them.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	f := factory{m.reg}
	m.latency = f.histogram("promoedge_http_request_duration_seconds", "Time to answer an HTTP request, by route pattern, method and status code.", latencyBuckets, "route", "method", "code")
	m.evaluations = f.counter("promoedge_evaluations_total", "Carts priced by POST /v1/evaluate.")
	m.redemptions = f.counterVec("promoedge_redemptions_total", "Redemptions committed, by campaign applied (replays not counted again).", "campaign")
	m.redeemedDiscount = f.counterVec("promoedge_redeemed_discount_minor_units_total", "Discount committed by redemptions (lines and shipping), in minor units, by campaign and currency.", "campaign", "currency")
	m.replays = f.counter("promoedge_redemption_replays_total", "Redeem requests answered from a stored redemption (same idempotency key and body).")
	m.rollbacks = f.counterVec("promoedge_rollbacks_total", "Redemptions rolled back, by campaign given back.", "campaign")
	m.rolledBackDiscount = f.counterVec("promoedge_rolled_back_discount_minor_units_total", "Discount given back by rollbacks, in minor units, by campaign and currency.", "campaign", "currency")
	m.activations = f.counterVec("promoedge_bundle_activations_total", "Bundles activated, by kind of source.", "source")
	m.refusals = f.counterVec("promoedge_bundle_failures_total", "Bundles refused (the active one kept serving), by kind of source.", "source")
	m.transfers = f.counterVec("promoedge_cluster_transfers_total", "Transfers of limit rights, out of this node or credited to it.", "direction")
	m.rightsMoved = f.counterVec("promoedge_cluster_rights_transferred_total", "Limit rights moved by transfers (redemptions, or minor units of budget).", "direction")
	m.rightsWait = f.histogram("promoedge_cluster_rights_wait_seconds", "How long a redemption short of rights on this node waited for other nodes, by whether they came in time.", []float64{1e-3, 2.5e-3, 5e-3, 10e-3, 25e-3, 50e-3, 100e-3, 250e-3, 500e-3, 1, 2, 5}, "outcome")
	m.codesLearnt = f.counterVec("promoedge_cluster_codes_replicated_total", "Generated codes learnt from other nodes: stored, or clashed with a code already here (kept as it was).", "outcome")
	m.scrapeErrors = f.counter("promoedge_scrape_errors_total", "Scrapes of /metrics in which a collector failed (its series were left out).")
	m.decisionsDropped = f.counter("promoedge_decision_log_dropped_total", "Decision log lines dropped because the writer fell behind.")
	m.campaigns.init()
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&m.campaigns)
	m.observer.Store(&map[reqKey]prometheus.Observer{})
	return m
}

// factory registers what it makes. Registering fixed, distinct names on a
// new registry cannot fail, so its MustRegister is not a panic in waiting.
type factory struct{ reg *prometheus.Registry }

func (f factory) counter(name, help string) prometheus.Counter {
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	f.reg.MustRegister(c)
	return c
}

func (f factory) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(c)
	return c
}

func (f factory) histogram(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	f.reg.MustRegister(h)
	return h
}

// request observes one answered request. route is a route pattern,
// method one the route serves or "other": both bounded.
func (m *Metrics) request(route, method string, code int, start time.Time) {
	took := time.Since(start).Seconds()
	if o, ok := (*m.observer.Load())[reqKey{route, method, code}]; ok {
		o.Observe(took)
		return
	}
	m.newObserver(reqKey{route, strings.Clone(method), code}).Observe(took)
}

// newObserver resolves the histogram child of k once; later requests find
// it in the copied map without a lock.
func (m *Metrics) newObserver(k reqKey) prometheus.Observer {
	m.mu.Lock()
	defer m.mu.Unlock()
	old := *m.observer.Load()
	if o, ok := old[k]; ok {
		return o
	}
	o := m.latency.WithLabelValues(k.route, k.method, strconv.Itoa(k.code))
	next := make(map[reqKey]prometheus.Observer, len(old)+1)
	for kk, v := range old {
		next[kk] = v
	}
	next[k] = o
	m.observer.Store(&next)
	return o
}

// evaluated counts a decision of evaluate for subject (req.Subject()).
func (m *Metrics) evaluated(rev *policies.Revision, dec *policies.Decision, subject string) {
	m.evaluations.Inc()
	m.campaigns.count(rev, opEvaluate, dec, subject)
}

// redeemed counts a redemption: the decision's campaigns, and what was
// committed, unless it was a replay (counted once, when first committed).
func (m *Metrics) redeemed(rev *policies.Revision, rc *policies.Receipt, subject string) {
	if rc.Replayed {
		m.replays.Inc()
		return
	}
	if rc.Decision != nil {
		m.campaigns.count(rev, opRedeem, rc.Decision, subject)
	}
	r := rc.Redemption
	m.campaigns.redeemed(r, subject, false)
	for _, c := range r.Campaigns {
		m.redemptions.WithLabelValues(c.Campaign).Inc()
		m.redeemedDiscount.WithLabelValues(c.Campaign, r.Currency).Add(float64(c.Amount))
	}
}

// rolledBack counts a rollback that gave something back.
func (m *Metrics) rolledBack(r *policies.Redemption) {
	m.campaigns.redeemed(r, "", true)
	for _, c := range r.Campaigns {
		m.rollbacks.WithLabelValues(c.Campaign).Inc()
		m.rolledBackDiscount.WithLabelValues(c.Campaign, r.Currency).Add(float64(c.Amount))
	}
}

// Activated implements activation.Observer.
func (m *Metrics) Activated(source, _ string) { m.activations.WithLabelValues(source).Inc() }

// Refused implements activation.Observer.
func (m *Metrics) Refused(source string) { m.refusals.WithLabelValues(source).Inc() }

// Transferred counts a transfer of rights of one limit, out of this node
// (dir "out") or credited to it ("in").
func (m *Metrics) Transferred(dir string, rights int64) {
	m.transfers.WithLabelValues(dir).Inc()
	m.rightsMoved.WithLabelValues(dir).Add(float64(rights))
}

// Waited counts a redemption that found too few rights here and waited d
// for other nodes; got reports whether they came in time.
func (m *Metrics) Waited(d time.Duration, got bool) {
	outcome := "got"
	if !got {
		outcome = "timeout"
	}
	m.rightsWait.WithLabelValues(outcome).Observe(d.Seconds())
}

// CodesLearnt counts codes generated on other nodes and stored here, and
// those that clashed with a code already here.
func (m *Metrics) CodesLearnt(codes, clashes int) {
	m.codesLearnt.WithLabelValues("stored").Add(float64(codes))
	if clashes > 0 {
		m.codesLearnt.WithLabelValues("clash").Add(float64(clashes))
	}
}

// DecisionDropped counts a decision log line the writer had no room for.
func (m *Metrics) DecisionDropped() { m.decisionsDropped.Inc() }
