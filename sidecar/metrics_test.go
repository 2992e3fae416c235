package sidecar_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/promoedge/promoedge/examples"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/activation"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
	"github.com/promoedge/promoedge/wasm"
)

// meteredCampaign is added to the example bundle: the only campaign with
// cluster-wide limits, so that usage has something to show.
const meteredCampaign = `name: 10% off, metered
priority: 1
limits: {redemptions: 100, budget: 100000}
when:
  cart: {subtotal: {over: 1000}}
effects:
  - {type: percent_off, percent: 10, scope: cart}
`

// obsEnv is a sidecar over a real bbolt store, the example bundle (built,
// then uploaded with the metered campaign) and an activator, with its
// metrics and optionally a decision log.
type obsEnv struct {
	*sidecartest.Sidecar
	metrics *sidecar.Metrics
}

func newObsEnv(t *testing.T, cfg sidecar.Config) *obsEnv {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(store.DefaultConfig(filepath.Join(dir, "data")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m := sidecar.NewMetrics()
	if err := m.ReadWasm(new(wasm.Stats)); err != nil {
		t.Fatal(err)
	}
	e := policies.NewEngine(policies.Config{Usage: st, Codes: st, Committer: st})
	act := activation.New(activation.Config{Dir: filepath.Join(dir, "bundles"), Observer: m}, e)
	rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "embedded"}, examples.Default())
	if err != nil {
		t.Fatal(err)
	}
	act.Revision(rev)
	cfg.AdminToken = adminToken
	s := sidecartest.StartConfig(t, cfg, sidecar.Deps{Engine: e, State: st, Bundles: act, Metrics: m})
	return &obsEnv{Sidecar: s, metrics: m}
}

func (e *obsEnv) putBundle(t *testing.T, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, "http://sidecar/v1/bundles", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// scrape reads /metrics with the Prometheus text parser.
func (e *obsEnv) scrape(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	code, out := e.Do(t, http.MethodGet, "/metrics", nil)
	if code != http.StatusOK {
		t.Fatalf("metrics: %d %s", code, out)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("parsing metrics: %v\n%s", err, out)
	}
	return mfs
}

// series is the value of every series of a family, by its labels written
// name=value,... in sorted order (histograms: their count).
func series(mfs map[string]*dto.MetricFamily, name string) map[string]float64 {
	out := map[string]float64{}
	mf := mfs[name]
	if mf == nil {
		return out
	}
	for _, m := range mf.GetMetric() {
		var parts []string
		for _, l := range m.GetLabel() {
			parts = append(parts, l.GetName()+"="+l.GetValue())
		}
		key := strings.Join(parts, ",")
		switch {
		case m.Counter != nil:
			out[key] = m.GetCounter().GetValue()
		case m.Gauge != nil:
			out[key] = m.GetGauge().GetValue()
		case m.Histogram != nil:
			out[key] = float64(m.GetHistogram().GetSampleCount())
		}
	}
	return out
}

var obsCarts = []string{
	`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"TV-1","quantity":1,"unit_price":30000}]},"customer":{"id":"cust-premium-1","tier":"premium"},"context":{"now":"2026-11-24T12:00:00Z"}}`,
	`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":500}]},"codes":["NOPE"],"context":{"now":"2026-11-24T12:00:00Z"}}`,
	`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":2,"unit_price":2500}]},"customer":{"id":"cust-sorry-2","segments":["complained"]},"codes":["SORRY15"],"context":{"now":"2026-11-24T12:00:00Z"}}`,
	`{"cart":{"currency":"EUR","items":[{"id":"l1","sku":"SOCK-1","categories":["socks"],"quantity":3,"unit_price":800}]},"customer":{"id":"cust-eu-3","tier":"vip"},"context":{"now":"2026-03-17T12:00:00Z"}}`,
}

// campaignsOf counts what decisions say as the campaign metrics do: each
// campaign that applied (discount, points or free items) once per
// decision, and each rejection by campaign and reason.
func campaignsOf(decs []*policies.Decision, op string) (applied, rejected map[string]float64) {
	applied, rejected = map[string]float64{}, map[string]float64{}
	for _, d := range decs {
		seen := map[string]bool{}
		var ids []string
		for _, a := range d.Applied {
			ids = append(ids, a.Campaign)
		}
		for _, p := range d.Points {
			ids = append(ids, p.Campaign)
		}
		for _, f := range d.FreeItems {
			ids = append(ids, f.Campaign)
		}
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				applied["campaign="+id+",op="+op]++
			}
		}
		for _, r := range d.Rejected {
			rejected["campaign="+r.Campaign+",op="+op+",reason="+string(r.Reason)]++
		}
	}
	return applied, rejected
}

func TestMetricsScrapedAfterTraffic(t *testing.T) {
	env := newObsEnv(t, sidecar.DefaultConfig())
	tarball := sidecartest.ExampleTarballWith(t, "obs-2", map[string]string{"promo/campaigns/metered-10/data.yaml": meteredCampaign})
	if code := env.putBundle(t, tarball); code != http.StatusOK {
		t.Fatalf("good bundle: %d", code)
	}
	if code := env.putBundle(t, []byte("not a tarball")); code != http.StatusBadRequest {
		t.Fatalf("bad bundle: %d", code)
	}

	const rounds = 5
	var decs []*policies.Decision
	for range rounds {
		for _, body := range obsCarts {
			decs = append(decs, env.Evaluate(t, body))
		}
	}
	env.Do(t, http.MethodPost, "/v1/evaluate", []byte(`{"cart":`)) // a 400

	var receipts []receipt
	for i, key := range []string{"k1", "k2", "k3", "k1"} { // k1 again: a replay
		body := `{"order_id":"o-` + key + `","idempotency_key":"` + key + `","customer":{"id":"cust-redeem-9"},"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":5000}]},"context":{"now":"2026-11-24T12:00:00Z"}}`
		code, out := env.Do(t, http.MethodPost, "/v1/redemptions", []byte(body))
		var r receipt
		if code != http.StatusOK || json.Unmarshal(out, &r) != nil {
			t.Fatalf("redeem %d: %d %s", i, code, out)
		}
		receipts = append(receipts, r)
	}
	discount := func(r receipt) float64 {
		for _, a := range r.Applied {
			if a.Campaign == "metered-10" {
				return float64(a.Amount)
			}
		}
		t.Fatalf("metered-10 did not apply: %+v", r.Decision)
		return 0
	}
	for range 2 { // the second rollback changes nothing and counts nothing
		if code, out := env.Do(t, http.MethodPost, "/v1/redemptions/"+receipts[1].RedemptionID+"/rollback", nil); code != http.StatusOK {
			t.Fatalf("rollback: %d %s", code, out)
		}
	}

	mfs := env.scrape(t)
	check := func(name, labels string, want float64) {
		t.Helper()
		if got, ok := series(mfs, name)[labels]; !ok || got != want {
			t.Errorf("%s{%s} = %v (present %v), want %v; all: %v", name, labels, got, ok, want, series(mfs, name))
		}
	}
	check("promoedge_http_request_duration_seconds", "code=200,method=POST,route=/v1/evaluate", rounds*float64(len(obsCarts)))
	check("promoedge_http_request_duration_seconds", "code=400,method=POST,route=/v1/evaluate", 1)
	check("promoedge_http_request_duration_seconds", "code=200,method=POST,route=/v1/redemptions", 4)
	check("promoedge_http_request_duration_seconds", "code=200,method=PUT,route=/v1/bundles", 1)
	check("promoedge_evaluations_total", "", rounds*float64(len(obsCarts)))

	wantApplied, wantRejected := campaignsOf(decs, "evaluate")
	redeemApplied, redeemRejected := campaignsOf([]*policies.Decision{&receipts[0].Decision, &receipts[1].Decision, &receipts[2].Decision}, "redeem")
	for k, v := range redeemApplied {
		wantApplied[k] += v
	}
	for k, v := range redeemRejected {
		wantRejected[k] += v
	}
	if len(wantApplied) < 3 || len(wantRejected) < 3 {
		t.Fatalf("the carts should apply and reject several campaigns: %v %v", wantApplied, wantRejected)
	}
	sameSeries(t, "promoedge_campaign_applied_total", series(mfs, "promoedge_campaign_applied_total"), wantApplied)
	sameSeries(t, "promoedge_campaign_rejected_total", series(mfs, "promoedge_campaign_rejected_total"), wantRejected)

	check("promoedge_redemptions_total", "campaign=metered-10", 3)
	check("promoedge_redeemed_discount_minor_units_total", "campaign=metered-10,currency=USD", discount(receipts[0])+discount(receipts[1])+discount(receipts[2]))
	check("promoedge_redemption_replays_total", "", 1)
	check("promoedge_rollbacks_total", "campaign=metered-10", 1)
	check("promoedge_rolled_back_discount_minor_units_total", "campaign=metered-10,currency=USD", discount(receipts[1]))
	check("promoedge_campaign_limit", "campaign=metered-10,limit=redemptions", 100)
	check("promoedge_campaign_used", "campaign=metered-10,limit=redemptions", 2)
	check("promoedge_campaign_limit", "campaign=metered-10,limit=budget", 100000)
	check("promoedge_campaign_used", "campaign=metered-10,limit=budget", discount(receipts[0])+discount(receipts[2]))

	check("promoedge_bundle_activations_total", "source=built", 1)
	check("promoedge_bundle_activations_total", "source=upload", 1)
	check("promoedge_bundle_failures_total", "source=upload", 1)
	check("promoedge_bundle_info", "revision=obs-2", 1)
	if n := len(series(mfs, "promoedge_bundle_info")); n != 1 {
		t.Errorf("bundle_info has %d series, want the active one", n)
	}
	for _, kind := range []string{"timeout", "memory", "trap", "output", "input", "busy"} {
		if _, ok := series(mfs, "promoedge_wasm_errors_total")["kind="+kind]; !ok {
			t.Errorf("no wasm error series for %s", kind)
		}
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total", "promoedge_wasm_calls_total", "promoedge_decision_log_dropped_total"} {
		if mfs[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	for name, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetName(), "customer") || strings.Contains(l.GetValue(), "cust-") {
					t.Errorf("%s has a customer label: %s=%s", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
}

func sameSeries(t *testing.T, name string, got, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s{%s} = %v, want %v", name, k, got[k], v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s{%s} = %v, not in any decision", name, k, v)
		}
	}
}

// One Metrics serves one server: a second registration is an error, not
// a panic or doubled series.
func TestMetricsServeOneServer(t *testing.T) {
	m := sidecar.NewMetrics()
	e := sidecartest.ExampleEngine(t)
	if _, err := sidecar.New(sidecar.DefaultConfig(), sidecar.Deps{Engine: e, Metrics: m}); err != nil {
		t.Fatal(err)
	}
	if _, err := sidecar.New(sidecar.DefaultConfig(), sidecar.Deps{Engine: e, Metrics: m}); err == nil {
		t.Fatal("the same metrics registered for a second server")
	}
}
