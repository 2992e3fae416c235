package sidecar_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

const apiToken = "checkout-token"

// TestAdminOnlyLookups: the ledger and code lookups name customers, so
// they are admin endpoints (docs/api.md#admin-endpoints).
func TestAdminOnlyLookups(t *testing.T) {
	stack := sidecartest.ExampleStack(t, "", nil)
	s := sidecartest.StartDeps(t, stack.Deps, adminToken)
	for _, path := range []string{"/v1/redemptions", "/v1/redemptions?format=csv", "/v1/codes/ANY-1", "/v1/audit"} {
		if status, out := s.Do(t, "GET", path, nil); status != 401 {
			t.Errorf("GET %s without a token: %d %s", path, status, out)
		}
		if status, out := s.DoAs(t, "wrong", "GET", path, nil); status != 401 {
			t.Errorf("GET %s with a wrong token: %d %s", path, status, out)
		}
		if status, out := s.DoAs(t, adminToken, "GET", path, nil); status != 200 && status != 404 {
			t.Errorf("GET %s with the admin token: %d %s", path, status, out)
		}
	}
}

// TestAPIToken: with an API token every /v1/ endpoint needs it or the
// admin token; health, readiness, metrics and the dashboard stay open,
// and the API token opens no admin endpoint.
func TestAPIToken(t *testing.T) {
	stack := sidecartest.ExampleStack(t, "", nil)
	cfg := sidecar.DefaultConfig()
	cfg.AdminToken, cfg.APIToken = adminToken, apiToken
	s := sidecartest.StartConfig(t, cfg, stack.Deps)
	cart := []byte(`{"cart":{"currency":"USD","items":[{"id":"l1","quantity":1,"unit_price":1000}]}}`)
	for _, c := range []struct {
		method, path string
		body         []byte
	}{
		{"POST", "/v1/evaluate", cart}, {"GET", "/v1/campaigns", nil}, {"GET", "/v1/bundles", nil},
		{"POST", "/v1/redemptions/rd_nope/rollback", nil}, {"GET", "/v1/cluster", nil}, {"GET", "/v1/activity", nil},
	} {
		if status, out := s.Do(t, c.method, c.path, c.body); status != 401 || !bytes.Contains(out, []byte("unauthorized")) {
			t.Errorf("%s %s without a token: %d %s", c.method, c.path, status, out)
		}
		for _, tok := range []string{apiToken, adminToken} {
			if status, out := s.DoAs(t, tok, c.method, c.path, c.body); status == 401 {
				t.Errorf("%s %s with %s: %d %s", c.method, c.path, tok, status, out)
			}
		}
	}
	for _, path := range []string{"/health", "/ready", "/metrics", "/ui/app.js"} {
		if status, _ := s.Do(t, "GET", path, nil); status != 200 {
			t.Errorf("GET %s without a token: %d", path, status)
		}
	}
	for _, path := range []string{"/v1/redemptions", "/v1/audit"} {
		if status, _ := s.DoAs(t, apiToken, "GET", path, nil); status != 401 {
			t.Errorf("GET %s with the API token: %d", path, status)
		}
	}
	cfg.APIToken = adminToken
	if err := cfg.Validate(); err == nil {
		t.Error("an API token equal to the admin token is accepted")
	}
}

// TestAuditLog: every admin action is kept (who by token hash, what,
// when) and logged; GET /v1/audit shows them, never the token.
func TestAuditLog(t *testing.T) {
	stack := sidecartest.ExampleStack(t, "", nil)
	var logged bytes.Buffer
	deps := stack.Deps
	deps.Log = slog.New(slog.NewTextHandler(&logged, nil))
	s := sidecartest.StartDeps(t, deps, adminToken)
	if status, out := s.DoAs(t, adminToken, "POST", "/v1/campaigns/berlin-case/disable", nil); status != 200 {
		t.Fatalf("disable: %d %s", status, out)
	}
	s.DoAs(t, adminToken, "GET", "/v1/redemptions?customer=u-1", nil)
	s.DoAs(t, "wrong", "POST", "/v1/campaigns/berlin-case/enable", nil) // refused: not an action
	status, out := s.DoAs(t, adminToken, "GET", "/v1/audit", nil)
	var got struct {
		Entries []map[string]any `json:"entries"`
	}
	if err := json.Unmarshal(out, &got); status != 200 || err != nil || len(got.Entries) != 2 {
		t.Fatalf("audit: %d %v %s", status, err, out)
	}
	first, second := got.Entries[0], got.Entries[1]
	if first["action"] != "campaign.disable" || first["target"] != "berlin-case" || first["status"] != 200.0 || first["at"] == "" {
		t.Errorf("first entry: %v", first)
	}
	if second["action"] != "ledger.export" || second["target"] != "customer=u-1" {
		t.Errorf("second entry: %v", second)
	}
	if tok, _ := first["token"].(string); len(tok) != 12 || strings.Contains(string(out), adminToken) {
		t.Errorf("token shown as %q in %s", tok, out)
	}
	if !strings.Contains(logged.String(), "action=campaign.disable") || strings.Contains(logged.String(), adminToken) {
		t.Errorf("log: %s", logged.String())
	}
	if status, _ := s.DoAs(t, adminToken, "GET", "/v1/audit?limit=0", nil); status != 400 {
		t.Errorf("limit=0: %d", status)
	}
}

// TestReplayHeader: a replayed redeem says so in a header; the first
// answer does not.
func TestReplayHeader(t *testing.T) {
	e := newRedeemEnv(t, map[string]string{"c": `{"effects":[{"type":"amount_off","amount":100}]}`})
	body := redeemBody("o1", "key-1", "u1", 1000)
	send := func() http.Header {
		req, _ := http.NewRequest("POST", "http://sidecar/v1/redemptions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.Client.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("redeem: %v %v", resp, err)
		}
		resp.Body.Close()
		return resp.Header
	}
	if h := send().Get("Idempotent-Replayed"); h != "" {
		t.Errorf("first answer marked a replay: %q", h)
	}
	if h := send().Get("Idempotent-Replayed"); h != "true" {
		t.Errorf("replay not marked: %q", h)
	}
}
