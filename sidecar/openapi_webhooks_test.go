package sidecar_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies/webhook"
	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/client"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// webhooks drives GET /v1/webhooks of a sidecar with two endpoints, one
// of which answers 500, after a redemption: one delivered, one pending
// with its last error; and of a sidecar with none. The Go client reads
// the same answer.
func (cf *conformance) webhooks(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer ok.Close()
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "down", 500) }))
	defer broken.Close()
	stack := sidecartest.ExampleStack(t, "openapi-hooks", nil)
	cfg := webhook.DefaultConfig()
	cfg.Endpoints = []webhook.Endpoint{{Name: "crm", URL: ok.URL, Secret: []byte("0123456789abcdef")}, {Name: "bi", URL: broken.URL}}
	cfg.Poll = 20 * time.Millisecond
	w, err := webhook.New(cfg, stack.Store, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if err := w.Configure(ctx); err != nil {
		t.Fatal(err)
	}
	stack.Deps.Webhooks = w
	stack.Deps.Metrics = sidecar.NewMetrics()
	if err := stack.Deps.Metrics.ReadWebhooks(w); err != nil {
		t.Fatal(err)
	}
	s := sidecartest.StartDeps(t, stack.Deps, adminToken)
	cf.do(t, s, call{method: "POST", path: "/v1/redemptions", body: redeemCart("o-hook", "k-hook", "u-hook"), status: 200})

	var got struct {
		Endpoints []struct {
			Endpoint           string
			LastError          string `json:"last_error"`
			Delivered, Pending int64
		}
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out := cf.do(t, s, call{method: "GET", path: "/v1/webhooks", token: adminToken, status: 200})
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Endpoints) == 2 && got.Endpoints[1].Delivered == 1 && got.Endpoints[0].LastError != "" {
			break
		}
	}
	if len(got.Endpoints) != 2 || got.Endpoints[0].Pending != 1 || !strings.Contains(got.Endpoints[0].LastError, "500") || got.Endpoints[1].Delivered != 1 {
		t.Errorf("GET /v1/webhooks: %+v", got)
	}
	cf.do(t, s, call{method: "GET", path: "/v1/webhooks", status: 401, refused: true})
	metrics := string(cf.do(t, s, call{method: "GET", path: "/metrics", status: 200}))
	for _, want := range []string{`promoedge_webhook_delivered_total{endpoint="crm"} 1`, `promoedge_webhook_pending{endpoint="bi"} 1`, `promoedge_webhook_failed_total{endpoint="bi"} 0`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("no %s in /metrics", want)
		}
	}
	c, err := client.New(specServer, client.WithHTTPClient(s.Client), client.WithAdminToken(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Webhooks(context.Background())
	if err != nil || len(st) != 2 || st[1].Endpoint != "crm" || st[1].URL != ok.URL {
		t.Errorf("client: %+v %v", st, err)
	}
	// Without endpoints: none.
	plain := sidecartest.StartDeps(t, sidecartest.ExampleStack(t, "openapi-nohooks", nil).Deps, adminToken)
	if out := cf.do(t, plain, call{method: "GET", path: "/v1/webhooks", token: adminToken, status: 200}); string(out) != "{\"endpoints\":[]}\n" {
		t.Errorf("no endpoints: %s", out)
	}
}
