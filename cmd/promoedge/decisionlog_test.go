package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDecisionLogFlagsRefuseBadValues(t *testing.T) {
	data := t.TempDir()
	env := func(extra map[string]string) func(string) string {
		return func(k string) string {
			if k == "PROMOEDGE_DATA" {
				return data
			}
			return extra[k]
		}
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string // in the error or, for a flag that does not parse, on stderr
	}{
		{[]string{"serve", "--decision-log", "-", "--decision-log-sample", "abc"}, nil, `invalid value "abc" for flag -decision-log-sample`},
		{[]string{"serve", "--decision-log", "-", "--decision-log-sample", "1.5"}, nil, "--decision-log-sample must be a fraction from 0 to 1, got 1.5"},
		{[]string{"serve", "--decision-log", "-", "--decision-log-sample", "NaN"}, nil, "--decision-log-sample must be a fraction from 0 to 1"},
		{[]string{"serve", "--decision-log-sample", "0.5"}, nil, "--decision-log-sample needs --decision-log"},
		{[]string{"serve", "--decision-log-customer-ids"}, nil, "--decision-log-customer-ids needs --decision-log"},
		{[]string{"serve"}, map[string]string{"PROMOEDGE_DECISION_LOG": "-", "PROMOEDGE_DECISION_LOG_SAMPLE": "2"}, "got 2"},
		{[]string{"serve"}, map[string]string{"PROMOEDGE_DECISION_LOG_SAMPLE": "half"}, "PROMOEDGE_DECISION_LOG_SAMPLE"},
		{[]string{"serve"}, map[string]string{"PROMOEDGE_DECISION_LOG_CUSTOMER_IDS": "true"}, "--decision-log-customer-ids needs --decision-log"},
		{[]string{"serve", "--listen", "127.0.0.1:0", "--decision-log", filepath.Join(data, "missing", "dir", "d.log")}, nil, "decision log: opening"},
	} {
		var stderr bytes.Buffer
		err := run(context.Background(), tc.args, env(tc.env), io.Discard, &stderr)
		if err == nil {
			t.Errorf("%v %v: no error", tc.args, tc.env)
			continue
		}
		msg := err.Error()
		if errors.Is(err, errUsage) {
			msg = stderr.String()
		}
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%v %v: %q, want it to say %q", tc.args, tc.env, msg, tc.want)
		}
	}
}

// serve wires the decision log and the metrics: an evaluate over the
// socket is a line in the file once serve has returned, and /metrics
// counts the embedded bundle's activation.
func TestServeWiresDecisionLogAndMetrics(t *testing.T) {
	dir := t.TempDir()
	sock, logPath := filepath.Join(dir, "pe.sock"), filepath.Join(dir, "decisions.log")
	p := serveInProcess(map[string]string{"PROMOEDGE_SOCKET": sock, "PROMOEDGE_DATA": filepath.Join(dir, "data"), "PROMOEDGE_DECISION_LOG": logPath})
	client := p.client
	resp := p.until(t, func() (*http.Response, error) {
		return client.Post("http://promoedge/v1/evaluate", "application/json",
			strings.NewReader(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"customer":{"id":"u-cmd"}}`))
	})
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("evaluate: %d", resp.StatusCode)
	}
	resp, err := client.Get("http://promoedge/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(metrics), `promoedge_bundle_activations_total{source="built"} 1`) {
		t.Errorf("metrics do not count the embedded bundle's activation:\n%s", metrics)
	}
	p.stop(t)
	data, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"kind":"evaluate"`) || !strings.Contains(string(data), `"customer_hash":"`) || strings.Contains(string(data), "u-cmd") {
		t.Errorf("decision log after shutdown: %q", data)
	}
}
