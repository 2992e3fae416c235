package sidecar_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

func engine(t *testing.T) *policies.Engine { return sidecartest.ExampleEngine(t) }

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

const goodBody = `{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]}}`

func TestErrorModel(t *testing.T) {
	s := sidecartest.Start(t, engine(t))
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code, field              string
	}{
		{"bad quantity", "POST", "/v1/evaluate", `{"cart":{"currency":"USD","items":[{"id":"l1","quantity":1.5,"unit_price":1}]}}`, 400, "invalid_request", "cart.items[0].quantity"},
		{"missing cart", "POST", "/v1/evaluate", `{"customer":{}}`, 400, "invalid_request", "cart"},
		{"not json", "POST", "/v1/evaluate", `{"cart":`, 400, "invalid_request", ""},
		{"array body", "POST", "/v1/evaluate", `[1,2]`, 400, "invalid_request", ""},
		{"trailing data", "POST", "/v1/evaluate", goodBody + `{}`, 400, "invalid_request", ""},
		{"bad timezone", "POST", "/v1/evaluate", `{"cart":{"currency":"USD","items":[]},"customer":{"timezone":"Mars/Olympus"}}`, 400, "invalid_request", "customer.timezone"},
		{"too large", "POST", "/v1/evaluate", `{"cart":{"id":"` + strings.Repeat("x", 70<<10) + `"}}`, 413, "body_too_large", ""},
		{"unknown campaign", "GET", "/v1/campaigns/nope", "", 404, "not_found", ""},
		{"unknown route", "GET", "/v2/evaluate", "", 404, "not_found", ""},
		{"wrong method", "GET", "/v1/evaluate", "", 405, "method_not_allowed", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body []byte
			if tc.body != "" {
				body = []byte(tc.body)
			}
			var status int
			var out []byte
			if tc.status == 413 { // the head alone: see DoOversized
				var resp *http.Response
				resp, out = s.DoOversized(t, tc.method, tc.path, len(body))
				status = resp.StatusCode
			} else {
				status, out = s.Do(t, tc.method, tc.path, body)
			}
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, out)
			}
			var e errorBody
			if err := json.Unmarshal(out, &e); err != nil {
				t.Fatalf("error body is not JSON: %v: %s", err, out)
			}
			if e.Error.Code != tc.code || e.Error.Field != tc.field || e.Error.Message == "" {
				t.Fatalf("error %+v, want code %q field %q", e.Error, tc.code, tc.field)
			}
		})
	}
	// Bad input lost nothing: the same sidecar still prices a good cart.
	d := s.Evaluate(t, goodBody)
	if d.Total != 1000 || d.BundleRevision != "examples-2026.11" {
		t.Fatalf("after bad input: %+v", d)
	}
}

func TestNotReadyBeforeABundle(t *testing.T) {
	s := sidecartest.Start(t, policies.NewEngine(policies.Config{}))
	for _, path := range []string{"/ready", "/v1/campaigns"} {
		if status, out := s.Do(t, "GET", path, nil); status != http.StatusServiceUnavailable {
			t.Fatalf("%s: %d %s", path, status, out)
		}
	}
	status, out := s.Do(t, "POST", "/v1/evaluate", []byte(goodBody))
	if status != http.StatusServiceUnavailable || !strings.Contains(string(out), "not_ready") {
		t.Fatalf("evaluate: %d %s", status, out)
	}
	if status, _ := s.Do(t, "GET", "/health", nil); status != http.StatusOK {
		t.Fatalf("health: %d", status)
	}
}

func TestCampaigns(t *testing.T) {
	s := sidecartest.Start(t, engine(t))
	status, out := s.Do(t, "GET", "/v1/campaigns", nil)
	if status != 200 {
		t.Fatalf("%d %s", status, out)
	}
	var list struct {
		Revision  string `json:"bundle_revision"`
		Campaigns []struct {
			ID, Status, Timezone string
			Priority             int64
		} `json:"campaigns"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Campaigns) != 20 || list.Campaigns[0].ID != "socks-bogo" || list.Revision != "examples-2026.11" {
		t.Fatalf("campaigns %+v", list)
	}
	status, out = s.Do(t, "GET", "/v1/campaigns/st-patricks", nil)
	var one map[string]any
	if err := json.Unmarshal(out, &one); err != nil || status != 200 {
		t.Fatalf("%d %v %s", status, err, out)
	}
	if one["timezone"] != "Europe/Dublin" || one["valid_from"] != "2027-03-17T00:00:00Z" || one["rule"] != "st_patricks" {
		t.Fatalf("st-patricks %v", one)
	}
}

func TestServesTCPAndUnixSocket(t *testing.T) {
	cfg := sidecar.DefaultConfig()
	cfg.Listen = "127.0.0.1:0"
	cfg.Socket = filepath.Join(t.TempDir(), "promoedge.sock")
	srv, err := sidecar.New(cfg, sidecar.Deps{Engine: engine(t)})
	if err != nil {
		t.Fatal(err)
	}
	lns, err := srv.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, lns...) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for _, dial := range []func() (net.Conn, error){
		func() (net.Conn, error) { return net.Dial("tcp", lns[0].Addr().String()) },
		func() (net.Conn, error) { return net.Dial("unix", cfg.Socket) },
	} {
		c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
			DialContext: func(context.Context, string, string) (net.Conn, error) { return dial() },
		}}
		resp, err := c.Post("http://promoedge/v1/evaluate", "application/json", strings.NewReader(goodBody))
		if err != nil {
			t.Fatal(err)
		}
		var d policies.Decision
		err = json.NewDecoder(resp.Body).Decode(&d)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 || d.Total != 1000 {
			t.Fatalf("status %d err %v decision %+v", resp.StatusCode, err, d)
		}
	}
}

func TestMetrics(t *testing.T) {
	s := sidecartest.Start(t, engine(t))
	s.Evaluate(t, goodBody)
	_, out := s.Do(t, "GET", "/metrics", nil)
	for _, want := range []string{`promoedge_http_request_duration_seconds_count{code="200",method="POST",route="/v1/evaluate"} 1`, "promoedge_evaluations_total 1", `promoedge_bundle_info{revision="examples-2026.11"} 1`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("metrics lack %q:\n%s", want, out)
		}
	}
}

func TestRefusesBodiesThatAreNotJSON(t *testing.T) {
	s := sidecartest.Start(t, engine(t))
	resp, err := s.Client.Post("http://sidecar/v1/evaluate", "text/xml", strings.NewReader("<cart/>"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e errorBody
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != http.StatusUnsupportedMediaType || e.Error.Code != "unsupported_media_type" {
		t.Fatalf("status %d, error %+v (%v)", resp.StatusCode, e.Error, err)
	}
}
