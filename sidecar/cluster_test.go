package sidecar_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// TestKillSwitchOverHTTP disables and enables a campaign on a lone
// sidecar: evaluate and redeem reject it with `disabled`, the campaign
// shows it, it survives a restart, and admin auth guards it.
func TestKillSwitchOverHTTP(t *testing.T) {
	dir := t.TempDir()
	bdir := filepath.Join(dir, "bundle", "promo", "campaigns", "ten")
	if err := os.MkdirAll(bdir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(bdir, "data.json"), []byte(`{"effects":[{"type":"amount_off","amount":1000}]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "bundle", ".manifest"), []byte(`{"revision":"k1","roots":["promo"]}`), 0o644)
	rev, err := bundle.LoadPath(context.Background(), filepath.Join(dir, "bundle"))
	if err != nil {
		t.Fatal(err)
	}
	start := func() (*sidecartest.Sidecar, *store.Store) {
		st, err := store.Open(store.DefaultConfig(filepath.Join(dir, "data")))
		if err != nil {
			t.Fatal(err)
		}
		sw, err := policies.OpenSwitchboard(st, "local", nil)
		if err != nil {
			t.Fatal(err)
		}
		e := policies.NewEngine(policies.Config{Usage: st, Codes: st, Committer: st, Switches: sw})
		e.Swap(rev)
		return sidecartest.StartDeps(t, sidecar.Deps{Engine: e, State: st, Switches: sw}, adminToken), st
	}
	s, st := start()
	post := func(path, token string) int {
		req, _ := http.NewRequest("POST", "http://sidecar"+path, strings.NewReader(""))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := s.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	cart := `{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":5000}]}}`
	if status := post("/v1/campaigns/ten/disable", ""); status != 401 {
		t.Fatalf("disable without a token: %d", status)
	}
	if status := post("/v1/campaigns/nope/disable", adminToken); status != 404 {
		t.Fatalf("disable an unknown campaign: %d", status)
	}
	if status := post("/v1/campaigns/ten/disable", adminToken); status != 200 {
		t.Fatalf("disable: %d", status)
	}
	if d := s.Evaluate(t, cart); len(d.Applied) != 0 || len(d.Rejected) != 1 || d.Rejected[0].Reason != policies.Disabled {
		t.Fatalf("evaluate of a disabled campaign: %+v", d)
	}
	var view struct{ Status string }
	_, out := s.Do(t, "GET", "/v1/campaigns/ten", nil)
	if json.Unmarshal(out, &view); view.Status != "disabled" {
		t.Fatalf("campaign view: %s", out)
	}
	// Redeem rejects it as well.
	_, out = s.Do(t, "POST", "/v1/redemptions", []byte(`{"order_id":"o1","idempotency_key":"k1",`+cart[1:]))
	if !strings.Contains(string(out), `"reason":"disabled"`) {
		t.Fatalf("redeem of a disabled campaign: %s", out)
	}
	// Kept across a restart.
	st.Close()
	s, st = start()
	if d := s.Evaluate(t, cart); len(d.Applied) != 0 {
		t.Fatalf("the switch did not survive a restart: %+v", d)
	}
	if status := post("/v1/campaigns/ten/enable", adminToken); status != 200 {
		t.Fatalf("enable: %d", status)
	}
	if d := s.Evaluate(t, cart); len(d.Applied) != 1 {
		t.Fatalf("enabled again: %+v", d)
	}
	_, out = s.Do(t, "GET", "/v1/cluster", nil)
	if !strings.Contains(string(out), `"bundle_revision":"k1"`) {
		t.Fatalf("lone /v1/cluster: %s", out)
	}
	t.Cleanup(func() { st.Close() })
}
