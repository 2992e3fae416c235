package ui_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/webhook"
	"github.com/promoedge/promoedge/sidecar/api"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

var screenshotCopy = flag.String("screenshot", "", "also write the dashboard's full-page screenshot to this file")

// The campaigns added to the example bundle, so that every panel has
// something to draw.
const (
	// limited applies to every USD cart, with limits to draw.
	limited = `{"name": "First 10 orders - $5 off", "priority": 5, "currency": "USD",
  "limits": {"redemptions": 10, "budget": 10000},
  "effects": [{"type": "amount_off", "amount": 500}]}`
	// vouchers have generated codes, to search and look up.
	vouchers = `{"name": "Generated vouchers", "unique_codes": true, "priority": 4, "currency": "USD",
  "effects": [{"type": "amount_off", "amount": 300}]}`
	// abTest is an experiment: two variants and a holdout.
	abTest = `{"name": "Welcome offer test", "priority": 1, "currency": "USD", "variants": [
  {"name": "ten", "weight": 45, "effects": [{"type": "percent_off", "percent": 10}]},
  {"name": "fifteen", "weight": 45, "effects": [{"type": "percent_off", "percent": 15}]},
  {"name": "control", "weight": 10, "holdout": true}]}`
	// shadowFive is what the shadow candidate adds.
	shadowFive = `{"name": "Shadow five off", "priority": 1, "currency": "USD",
  "effects": [{"type": "amount_off", "amount": 500}]}`
)

// cart is a USD cart of customer %s (%s adds fields): socks-bogo,
// first-10 and the VIP campaigns of the example apply, the rules of others
// reject it.
const cart = `{"cart": {"currency": "USD", "items": [
    {"id": "l1", "sku": "SOCK-RED", "categories": ["socks"], "quantity": 2, "unit_price": 1200},
    {"id": "l2", "sku": "SHOE-1", "categories": ["shoes"], "quantity": 1, "unit_price": 8999}],
  "shipping": {"method": "standard", "amount": 599}},
  "customer": {"id": %q, "tier": "vip"}%s}`

// traffic is a sidecar and what was done to it through its API.
type traffic struct {
	s         *sidecartest.Sidecar
	base      string
	code      string // a voucher redeemed by u-1
	evaluated int
}

// makeTraffic starts the sidecar, loads a shadow candidate, and sends
// traffic: evaluates of customers chosen by their variant of ab-test so
// that the split is skewed (a real sample ratio mismatch), three
// redemptions (one with a voucher), a wallet adjustment; then waits for
// the statistics to be flushed and the shadow to compare every evaluate.
func makeTraffic(t *testing.T) *traffic {
	t.Helper()
	stack := sidecartest.ExampleStack(t, "", map[string]string{"promo/campaigns/first-10/data.json": limited,
		"promo/campaigns/vouchers/data.json": vouchers, "promo/campaigns/ab-test/data.json": abTest})
	stack.Deps.Webhooks = startWebhooks(t, stack)
	s, base := sidecartest.StartTCP(t, stack.Deps, adminToken)
	tr := &traffic{s: s, base: base}
	candidate := sidecartest.ExampleTarballWith(t, "shadow-ui", map[string]string{"promo/campaigns/first-10/data.json": limited,
		"promo/campaigns/vouchers/data.json": vouchers, "promo/campaigns/ab-test/data.json": abTest,
		"promo/campaigns/shadow-5/data.json": shadowFive})
	tr.admin(t, "PUT", "/v1/bundles?shadow=true", candidate)
	var made struct{ Codes []string }
	if err := json.Unmarshal(tr.admin(t, "POST", "/v1/campaigns/vouchers/codes", []byte(`{"count": 2, "pattern": "UI-####"}`)), &made); err != nil {
		t.Fatal(err)
	}
	tr.code = made.Codes[0]

	ab, err := s.Engine.Revision().Campaign("ab-test")
	if err != nil {
		t.Fatal(err)
	}
	skew := map[string]int{"ten": 30, "fifteen": 4, "control": 2}
	var customers []string
	for i := 0; len(customers) < 36; i++ {
		id := fmt.Sprintf("x-%d", i)
		if v := ab.Variants[ab.Assign(id)].Name; skew[v] > 0 {
			skew[v]--
			customers = append(customers, id)
		}
	}
	for _, id := range customers {
		s.Evaluate(t, fmt.Sprintf(cart, id, ""))
		tr.evaluated++
	}
	for i, r := range []struct{ customer, codes string }{{customers[0], ""}, {"u-1", fmt.Sprintf(`, "codes": [%q]`, tr.code)}, {"u-1", ""}} {
		body := fmt.Sprintf(cart, r.customer, fmt.Sprintf(`, "order_id": "o-%d", "idempotency_key": "k-%d"%s`, i, i, r.codes))
		if status, out := s.Do(t, http.MethodPost, "/v1/redemptions", []byte(body)); status != 200 {
			t.Fatalf("redeem: %d %s", status, out)
		}
	}
	tr.admin(t, "POST", "/v1/wallets/u-1/adjust", []byte(`{"points": 300, "reason": "welcome", "idempotency_key": "adj-1"}`))

	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st := tr.stats(t)
		var customersSeen int64
		for _, v := range tr.experiment(t).Variants {
			customersSeen += v.Customers
		}
		hooks := tr.webhooks(t)
		if total(st, "first-10").Redemptions == 3 && customersSeen == 36 && tr.shadow(t).Compared == int64(tr.evaluated) &&
			hooks["crm"].Delivered > 0 && hooks["crm"].Pending == 0 && hooks["broken"].LastError != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("statistics not flushed or shadow not compared: %+v", total(st, "first-10"))
		}
	}
	return tr
}

// startWebhooks delivers the store's notices to two real local
// receivers: crm answers 200, broken 500.
func startWebhooks(t *testing.T, stack *sidecartest.Stack) *webhook.Worker {
	t.Helper()
	receiver := func(status int) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.WriteHeader(status)
		}))
		t.Cleanup(srv.Close)
		return srv.URL
	}
	cfg := webhook.DefaultConfig()
	cfg.Endpoints = []webhook.Endpoint{{Name: "crm", URL: receiver(200)}, {Name: "broken", URL: receiver(500)}}
	cfg.FirstRetry, cfg.MaxBackoff, cfg.Poll, cfg.SettleEvery = 50*time.Millisecond, 200*time.Millisecond, 50*time.Millisecond, 20*time.Millisecond
	w, err := webhook.New(cfg, stack.Store, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Configure(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done }) // before the store closes
	return w
}

func (tr *traffic) webhooks(t *testing.T) map[string]policies.WebhookStatus {
	var v api.Webhooks
	tr.get(t, "/v1/webhooks", &v)
	out := map[string]policies.WebhookStatus{}
	for _, e := range v.Endpoints {
		out[e.Endpoint] = e
	}
	return out
}

func (tr *traffic) admin(t *testing.T, method, path string, body []byte) []byte {
	t.Helper()
	status, out := tr.s.DoAs(t, adminToken, method, path, body)
	if status != 200 {
		t.Fatalf("%s %s: %d %s", method, path, status, out)
	}
	return out
}

func (tr *traffic) get(t *testing.T, path string, v any) {
	t.Helper()
	if err := json.Unmarshal(tr.admin(t, "GET", path, nil), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// total is campaign id's counts over the statistics' range.
func total(st api.CampaignStats, id string) api.DayCounts {
	for _, c := range st.Campaigns {
		if c.Campaign == id {
			return c.Total
		}
	}
	return api.DayCounts{}
}

func (tr *traffic) stats(t *testing.T) api.CampaignStats {
	var v api.CampaignStats
	tr.get(t, "/v1/stats/campaigns?days=30", &v)
	return v
}

func (tr *traffic) experiment(t *testing.T) api.Experiment {
	var v api.Experiment
	tr.get(t, "/v1/experiments/ab-test", &v)
	return v
}

func (tr *traffic) shadow(t *testing.T) policies.ShadowReport {
	var v policies.ShadowReport
	tr.get(t, "/v1/bundles/shadow", &v)
	return v
}

// ledger is the redemptions the API finds by field = value.
func (tr *traffic) ledger(t *testing.T, field, value string) []json.RawMessage {
	var v struct{ Redemptions []json.RawMessage }
	tr.get(t, "/v1/redemptions?"+url.Values{field: {value}}.Encode(), &v)
	return v.Redemptions
}

func (tr *traffic) ledgerCSV(t *testing.T, field, value string) string {
	return string(tr.admin(t, "GET", "/v1/redemptions?"+url.Values{field: {value}, "format": {"csv"}}.Encode(), nil))
}

// expected is what the panels must show, read from the API.
type expected struct {
	applied, redemptions int64
	first10              api.DayCounts
	first10Rejected      int64
	rejectedCampaign     string
	rejectedTotal        int64
	rejections           string
	experiment           map[string]string
	shadow               map[string]string
	wallet               map[string]string
	code                 map[string]string
	revision             string
	webhooks             map[string]string // crm's delivered, broken's last error
}

func (tr *traffic) expect(t *testing.T) expected {
	t.Helper()
	st := tr.stats(t)
	var w expected
	for _, c := range st.Campaigns {
		w.applied += c.Total.Applied
		w.redemptions += c.Total.Redemptions
	}
	w.first10 = total(st, "first-10")
	for _, n := range w.first10.Rejections {
		w.first10Rejected += n
	}
	// The first campaign rejected for some reason, and its reasons as
	// the table writes them: most first, then by name.
	for _, c := range st.Campaigns {
		if len(c.Total.Rejections) == 0 || w.rejectedCampaign != "" {
			continue
		}
		w.rejectedCampaign = c.Campaign
		reasons := slices.Sorted(maps.Keys(c.Total.Rejections))
		slices.SortStableFunc(reasons, func(a, b string) int { return cmp.Compare(c.Total.Rejections[b], c.Total.Rejections[a]) })
		var parts []string
		for _, r := range reasons {
			parts = append(parts, fmt.Sprintf("%s %d", r, c.Total.Rejections[r]))
			w.rejectedTotal += c.Total.Rejections[r]
		}
		w.rejections = strings.Join(parts, ", ")
	}
	if w.rejectedCampaign == "" {
		t.Fatal("no campaign was rejected: nothing to show")
	}
	x := tr.experiment(t)
	if x.SampleRatioPValue >= 0.001 {
		t.Fatalf("the skewed split gives p = %v: no mismatch to show", x.SampleRatioPValue)
	}
	w.experiment = map[string]string{"warning": "true"}
	for _, v := range x.Variants {
		w.experiment[v.Name] = fmt.Sprintf("%d/%d", v.Customers, v.Redemptions)
		w.experiment[v.Name+"-ci"] = ""
		if v.ConversionDiffCI != nil {
			w.experiment[v.Name+"-ci"] = fmt.Sprintf("%v,%v", v.ConversionDiffCI[0], v.ConversionDiffCI[1])
		}
	}
	if w.experiment["fifteen-ci"] == "" {
		t.Error("the API gives no confidence interval for fifteen: nothing to show")
	}
	sh := tr.shadow(t)
	w.shadow = map[string]string{"compared": fmt.Sprint(sh.Compared), "samples": fmt.Sprint(len(sh.Samples))}
	for _, c := range sh.Campaigns {
		if c.Campaign == "shadow-5" {
			w.shadow["shadow5"] = fmt.Sprintf("%d/%d", c.AppliedLive, c.AppliedShadow)
		}
	}
	var wallet struct{ Balance int64 }
	tr.get(t, "/v1/wallets/u-1", &wallet)
	var txs struct{ Transactions []json.RawMessage }
	tr.get(t, "/v1/wallets/u-1/transactions", &txs)
	w.wallet = map[string]string{"balance": fmt.Sprintf("%d points", wallet.Balance), "transactions": fmt.Sprint(len(txs.Transactions))}
	var code struct{ State, Campaign string }
	tr.get(t, "/v1/codes/"+tr.code, &code)
	w.code = map[string]string{"state": code.State, "campaign": code.Campaign}
	w.revision = activeRevision(t, tr.s)
	hooks := tr.webhooks(t)
	w.webhooks = map[string]string{"crm": fmt.Sprint(hooks["crm"].Delivered), "broken": hooks["broken"].LastError}
	return w
}

func activeRevision(t *testing.T, s *sidecartest.Sidecar) string {
	t.Helper()
	_, out := s.Do(t, http.MethodGet, "/v1/bundles", nil)
	var v struct{ Active struct{ Revision string } }
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatal(err)
	}
	return v.Active.Revision
}

// shotDir keeps the screenshots of the panels: in $UI_SCREENSHOT_DIR when
// set (to look at them after the test; `make ui-screenshots`), else in a
// temporary directory.
type shotDir struct {
	t   *testing.T
	dir string
}

func screenshots(t *testing.T) *shotDir {
	dir := os.Getenv("UI_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &shotDir{t: t, dir: dir}
}

// take is a screenshot of the element sel. The viewport is first made as
// tall as the page, so that the capture needs no resize (a resize at
// capture time reflows the page and shifts the clip).
func (d *shotDir) take(ctx context.Context, name, sel string) {
	d.t.Helper()
	h, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
	if err == nil {
		err = chromedp.Do(ctx, chromedp.EmulateViewport(1280, h))
	}
	if err != nil {
		d.t.Fatalf("sizing the viewport: %v", err)
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](`(() => {
		const r = document.querySelector(`+strconv.Quote(sel)+`).getBoundingClientRect();
		return {x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height};
	})()`))
	if err != nil {
		d.t.Fatalf("locating %s: %v", sel, err)
	}
	shot, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		res, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format: page.CaptureScreenshotFormatPng,
			Clip:   &page.Viewport{X: r["x"], Y: r["y"], Width: r["w"], Height: r["h"], Scale: 1},
		})
		if err != nil {
			return nil, err
		}
		return res.Data, nil
	})
	if err != nil {
		d.t.Fatalf("screenshot of %s: %v", sel, err)
	}
	d.write(name, shot)
}

// page is a screenshot of a 1280×900 viewport (a dialog over the page).
func (d *shotDir) page(ctx context.Context, name string) {
	d.t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		d.t.Fatalf("sizing the viewport: %v", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		d.t.Fatalf("screenshot: %v", err)
	}
	d.write(name, shot)
}

// full is the whole page.
func (d *shotDir) full(ctx context.Context) {
	d.t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		d.t.Fatalf("screenshot: %v", err)
	}
	d.write("dashboard", shot)
	if *screenshotCopy != "" {
		writeFile(d.t, *screenshotCopy, shot)
	}
}

func (d *shotDir) write(name string, shot []byte) {
	ext := ".png"
	if bytes.HasPrefix(shot, []byte{0xff, 0xd8}) {
		ext = ".jpg"
	}
	path := filepath.Join(d.dir, name+ext)
	writeFile(d.t, path, shot)
	d.t.Logf("screenshot %s (%d bytes)", path, len(shot))
}
