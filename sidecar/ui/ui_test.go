package ui_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

var screenshotCopy = flag.String("screenshot", "", "also write the dashboard's screenshot to this file")

const adminToken = "ui-test-token"

// limited is a campaign added to the example bundle so that the dashboard
// has limits to draw: it applies to every USD cart.
const limited = `{"name": "First 10 orders - $5 off", "priority": 5, "currency": "USD",
  "limits": {"redemptions": 10, "budget": 10000},
  "effects": [{"type": "amount_off", "amount": 500}]}`

// cart applies socks-bogo, first-10 and the VIP campaigns of the example
// bundle, and has the rules of the others reject it.
const cart = `{"cart": {"currency": "USD", "items": [
    {"id": "l1", "sku": "SOCK-RED", "categories": ["socks"], "quantity": 2, "unit_price": 1200},
    {"id": "l2", "sku": "SHOE-1", "categories": ["shoes"], "quantity": 1, "unit_price": 8999}],
  "shipping": {"method": "standard", "amount": 599}},
  "customer": {"id": "u-%d", "tier": "vip"}%s}`

// TestDashboardInChromium drives /ui/ in headless Chromium against a real
// sidecar (bbolt store, the example bundle, an admin token): the chart and
// the usage bars show what the API counted, a wrong token is refused
// and changes nothing, the right one disables a campaign, and the page asks
// no host but the sidecar for anything.
func TestDashboardInChromium(t *testing.T) {
	browserPath := chromium(t)
	s, base := startSidecar(t)

	// Traffic for the chart and the bars: 4 carts priced, 3 redeemed.
	var wantApplied, wantRule int
	for i := range 4 {
		d := s.Evaluate(t, fmt.Sprintf(cart, i, ""))
		wantApplied += campaignsApplied(d)
		for _, r := range d.Rejected {
			if r.Reason == policies.RuleFailed {
				wantRule++
			}
		}
	}
	for i := range 3 {
		body := fmt.Sprintf(cart, i, fmt.Sprintf(`, "order_id": "o-%d", "idempotency_key": "k-%d"`, i, i))
		if status, out := s.Do(t, http.MethodPost, "/v1/redemptions", []byte(body)); status != 200 {
			t.Fatalf("redeem: %d %s", status, out)
		}
	}
	if used := campaign(t, s, "first-10").Usage; used == nil || used.Redemptions != 3 {
		t.Fatalf("first-10 usage %+v after 3 redemptions", used)
	}

	ctx, requests, problems := openBrowser(t, browserPath)
	start := time.Now()
	do(t, ctx, "open the dashboard",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/ui/"),
		chromedp.WaitVisible(`tr[data-campaign="first-10"] .bar`),
		chromedp.Poll[chromedp.Void](`document.body.dataset.loaded === "true" && document.querySelector('#legend-decisions li')`))

	// The usage bar of first-10 and the numbers of the charts.
	bar := eval[map[string]string](t, ctx, `(() => {
		const b = document.querySelector('tr[data-campaign="first-10"] [role=progressbar][data-limit=redemptions]');
		return {now: b.getAttribute('aria-valuenow'), max: b.getAttribute('aria-valuemax'), text: b.getAttribute('aria-valuetext'),
			width: b.querySelector('.fill').style.width};
	})()`)
	if bar["now"] != "3" || bar["max"] != "10" || bar["text"] != "3 of 10 redemptions" || bar["width"] != "30%" {
		t.Errorf("first-10's redemptions bar: %v; want 3 of 10, 30%% wide", bar)
	}
	chart := eval[map[string]string](t, ctx, `(() => {
		const q = (s) => document.querySelector(s);
		const line = q('#chart-decisions polyline[data-series=applications]');
		const bars = [...document.querySelectorAll('#chart-redemptions rect')].reduce((n, r) => n + Number(r.dataset.value), 0);
		return {applied: line.dataset.total, points: String(line.getAttribute('points').split(' ').length),
			rule: q('#chart-decisions polyline[data-series=rule]').dataset.total,
			legend: q('#legend-decisions li[data-series=applications] strong').textContent,
			priced: q('[data-total=evaluations] dd').textContent, redeemed: q('[data-total=redemptions] dd').textContent,
			bars: String(bars)};
	})()`)
	want := map[string]string{"applied": fmt.Sprint(wantApplied), "points": "60", "rule": fmt.Sprint(wantRule),
		"legend": fmt.Sprint(wantApplied), "priced": "4", "redeemed": "3", "bars": "3"}
	for k, v := range want {
		if chart[k] != v {
			t.Errorf("chart %s: %q, want %q (all: %v)", k, chart[k], v, chart)
		}
	}

	// A wrong token: an error on the page, the campaign untouched.
	button := `tr[data-campaign="socks-bogo"] button.switch`
	do(t, ctx, "click the kill switch with a wrong token",
		chromedp.SendKeys("#admin-token", "not-the-token"),
		chromedp.Click(button),
		chromedp.Poll[chromedp.Void](`document.querySelector('#switch-result').textContent.includes('401')`))
	if msg := eval[string](t, ctx, `document.querySelector('#switch-result').textContent`); !strings.Contains(msg, "401 Unauthorized") || !strings.Contains(msg, "not changed") {
		t.Errorf("after a wrong token the page says %q", msg)
	}
	if st := campaign(t, s, "socks-bogo").Status; st != "active" {
		t.Errorf("socks-bogo is %q after a refused disable", st)
	}

	// The right token disables socks-bogo, for the API and for evaluate.
	do(t, ctx, "click the kill switch with the admin token",
		chromedp.Click("#token-clear"), // "Forget": empties the field and sessionStorage
		chromedp.SendKeys("#admin-token", adminToken),
		chromedp.Click(button),
		chromedp.Poll[chromedp.Void](`document.querySelector('#switch-result').textContent.includes('socks-bogo disabled')`),
		chromedp.Poll[chromedp.Void](`document.querySelector('tr[data-campaign="socks-bogo"] [data-state]').dataset.state === 'disabled'`))
	if st := campaign(t, s, "socks-bogo").Status; st != "disabled" {
		t.Errorf("socks-bogo is %q after the dashboard disabled it", st)
	}
	if reason := rejection(s.Evaluate(t, fmt.Sprintf(cart, 9, "")), "socks-bogo"); reason != policies.Disabled {
		t.Errorf("evaluate rejects socks-bogo with %q, want disabled", reason)
	}
	if label := eval[string](t, ctx, `document.querySelector('`+button+`').textContent`); label != "Enable" {
		t.Errorf("socks-bogo's button says %q after disabling, want Enable", label)
	}
	if kept := eval[string](t, ctx, `sessionStorage.getItem('promoedge.adminToken') || ''`); kept != adminToken {
		t.Errorf("sessionStorage keeps %q, want the admin token", kept)
	}

	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := t.TempDir()
	if keep := os.Getenv("UI_SCREENSHOT_DIR"); keep != "" { // to look at it after the test
		dir = keep
	}
	path := filepath.Join(dir, "dashboard.png")
	writeFile(t, path, shot)
	if *screenshotCopy != "" {
		writeFile(t, *screenshotCopy, shot)
	}
	t.Logf("screenshot: %s (%d bytes); in the browser for %v", path, len(shot), time.Since(start).Round(time.Millisecond))

	for _, u := range requests() {
		if !strings.HasPrefix(u, base+"/") {
			t.Errorf("the page requested %s: only %s may be asked", u, base)
		}
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the page had script errors: %v", p)
	}
}

// chromium is the path of a Chromium to drive. Without one the test skips,
// except under CI, where it fails: `make test` installs it (make ui-tools).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no chromium on PATH: `make ui-tools` installs Debian's chromium (apt-get install -y chromium)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// startSidecar serves the example bundle plus first-10 over a real bbolt
// store, kill switch and bundle activator on a TCP port of 127.0.0.1.
func startSidecar(t *testing.T) (*sidecartest.Sidecar, string) {
	stack := sidecartest.ExampleStack(t, "", map[string]string{"promo/campaigns/first-10/data.json": limited})
	return sidecartest.StartTCP(t, stack.Deps, adminToken)
}

// openBrowser starts headless Chromium for the test (60 s at most) and
// returns its tab, the URLs the tab asked for and the errors it logged so
// far (script exceptions, console.error, refusals of its CSP).
func openBrowser(t *testing.T, path string) (context.Context, func() []string, func() []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true))
	t.Cleanup(cancelAlloc)
	ctx, cancelTab := chromedp.NewContext(ctx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelTab)
	var mu sync.Mutex
	var urls, problems []string
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			urls = append(urls, e.Request.URL)
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			desc := d.Text
			if d.Exception != nil {
				desc += " " + d.Exception.Description
			}
			problems = append(problems, fmt.Sprintf("%s:%d: %s", d.URL, d.LineNumber+1, desc))
		case *log.EventEntryAdded:
			// Errors of network requests are the 401 the test provokes; a
			// request to another host is caught by its URL instead. Others
			// are script errors and Content-Security-Policy refusals.
			if e.Entry.Level == log.EntryLevelError && e.Entry.Source != log.EntrySourceNetwork {
				problems = append(problems, fmt.Sprintf("%s: %s", e.Entry.Source, e.Entry.Text))
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				problems = append(problems, fmt.Sprintf("console.error %v", e.Args))
			}
		}
	})
	if err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	read := func(s *[]string) func() []string {
		return func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), (*s)...) }
	}
	return ctx, read(&urls), read(&problems)
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		// What the page says helps more than "timeout".
		said, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
			`[...document.querySelectorAll('[role=status], [role=alert]')].map((e) => e.textContent.trim()).filter(Boolean).join(' | ')`))
		t.Fatalf("%s: %v; the page says: %s", what, err, said)
	}
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// campaignView is the part of GET /v1/campaigns/{id} the test reads.
type campaignView struct {
	Status string `json:"status"`
	Usage  *struct {
		Redemptions int64 `json:"redemptions"`
	} `json:"usage"`
}

func campaign(t *testing.T, s *sidecartest.Sidecar, id string) campaignView {
	t.Helper()
	status, out := s.Do(t, http.MethodGet, "/v1/campaigns/"+id, nil)
	var v campaignView
	if err := json.Unmarshal(out, &v); status != 200 || err != nil {
		t.Fatalf("GET /v1/campaigns/%s: %d %v %s", id, status, err, out)
	}
	return v
}

// campaignsApplied counts campaigns, not effects, as the recorder does.
func campaignsApplied(d *policies.Decision) int {
	n := 0
	for i, a := range d.Applied {
		if i == 0 || a.Campaign != d.Applied[i-1].Campaign {
			n++
		}
	}
	return n
}

func rejection(d *policies.Decision, id string) policies.Reason {
	for _, r := range d.Rejected {
		if r.Campaign == id {
			return r.Reason
		}
	}
	return ""
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
