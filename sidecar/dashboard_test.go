package sidecar_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/sidecar/activity"
)

// TestActivityOverHTTP counts evaluates and redeems in GET /v1/activity:
// the applied and rejected campaigns of each priced cart, and committed
// redemptions only (a refused redeem is not one).
func TestActivityOverHTTP(t *testing.T) {
	env := newRedeemEnv(t, map[string]string{
		"ten":   `{"priority": 2, "effects":[{"type":"amount_off","amount":1000},{"type":"free_shipping"}]}`,
		"usd":   `{"priority": 1, "currency":"EUR","effects":[{"type":"amount_off","amount":100}]}`,
		"coded": `{"code":"SAVE","effects":[{"type":"amount_off","amount":100}]}`,
	})
	cart := `{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":5000}],"shipping":{"amount":500}},"codes":["NOPE"]}`
	for range 3 {
		env.Evaluate(t, cart) // ten applies (2 effects, 1 campaign); usd: currency; NOPE: code_invalid
	}
	for i, key := range []string{"k1", "k2"} {
		if status, _, out := env.redeem(t, redeemBody("o"+key, key, "u1", 5000+i)); status != 200 {
			t.Fatalf("redeem: %d %s", status, out)
		}
	}
	if status, _, _ := env.redeem(t, `{"cart":{}}`); status != 400 {
		t.Fatalf("a bad redeem answered %d", status)
	}
	status, out := env.Do(t, http.MethodGet, "/v1/activity", nil)
	if status != 200 {
		t.Fatalf("GET /v1/activity: %d %s", status, out)
	}
	var snap activity.Snapshot
	if err := json.Unmarshal(out, &snap); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	got := snap.Total
	if len(snap.Minutes) != activity.Minutes || got.Evaluations != 3 || got.Applications != 3 || got.Redemptions != 2 ||
		got.Rejections["currency"] != 3 || got.Rejections["code_invalid"] != 3 || len(got.Rejections) != 2 {
		t.Errorf("activity total %+v over %d minutes; want 3 evaluations, 3 applications, 2 redemptions, "+
			"3 currency and 3 code_invalid rejections, over %d", got, len(snap.Minutes), activity.Minutes)
	}
}

// TestDashboardFiles serves the embedded page under /ui/ with a policy
// that keeps it to this server, and sends /ui there.
func TestDashboardFiles(t *testing.T) {
	env := newRedeemEnv(t, map[string]string{"ten": `{"effects":[{"type":"amount_off","amount":1000}]}`})
	noRedirect := *env.Client
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noRedirect.Get("http://sidecar/ui")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/ui/" {
		t.Errorf("GET /ui: %d to %q, want 301 to /ui/", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, f := range []struct{ path, ctype, contains string }{
		{"/ui/", "text/html; charset=utf-8", `<script src="app.js" defer></script>`},
		{"/ui/charts.js", "text/javascript; charset=utf-8", "function sparkline"},
		{"/ui/main.js", "text/javascript; charset=utf-8", "registerPanel("},
		{"/ui/app.js", "text/javascript; charset=utf-8", "Authorization = `Bearer"},
		{"/ui/style.css", "text/css; charset=utf-8", ".bar"},
	} {
		resp, err := env.Client.Get("http://sidecar" + f.path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != f.ctype || !strings.Contains(string(body), f.contains) ||
			!strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "connect-src 'self'") {
			t.Errorf("GET %s: %d %q csp %q, body has %q: %v", f.path, resp.StatusCode, resp.Header.Get("Content-Type"),
				csp, f.contains, strings.Contains(string(body), f.contains))
		}
		if n, r := resp.Header.Get("X-Content-Type-Options"), resp.Header.Get("Referrer-Policy"); n != "nosniff" || r != "no-referrer" {
			t.Errorf("GET %s: X-Content-Type-Options %q, Referrer-Policy %q; want nosniff, no-referrer", f.path, n, r)
		}
		req, _ := http.NewRequest(http.MethodGet, "http://sidecar"+f.path, nil)
		req.Header.Set("If-None-Match", resp.Header.Get("ETag"))
		again, err := env.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		again.Body.Close()
		if resp.Header.Get("ETag") == "" || again.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s again with its ETag %q: %d, want 304", f.path, resp.Header.Get("ETag"), again.StatusCode)
		}
	}
	if status, out := env.Do(t, http.MethodGet, "/ui/nope.js", nil); status != 404 || !strings.Contains(string(out), "not_found") {
		t.Errorf("GET /ui/nope.js: %d %s", status, out)
	}
}
