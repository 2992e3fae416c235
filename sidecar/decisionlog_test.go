package sidecar_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/decisionlog"
)

// logLines stops the sidecar (which flushes the log) and reads the log as
// raw lines and as decoded ones, failing on a line that is not JSON.
func logLines(t *testing.T, env *obsEnv, path string) ([]string, []decisionlog.Line) {
	t.Helper()
	env.Stop()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw []string
	var lines []decisionlog.Line
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l decisionlog.Line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not JSON: %v: %s", err, sc.Text())
		}
		raw = append(raw, sc.Text())
		lines = append(lines, l)
	}
	return raw, lines
}

func logConfig(t *testing.T, sample float64, clear bool) (sidecar.Config, string) {
	cfg := sidecar.DefaultConfig()
	path := filepath.Join(t.TempDir(), "decisions.log")
	cfg.DecisionLog.Destination, cfg.DecisionLog.Sample, cfg.DecisionLog.CustomerIDs = path, sample, clear
	return cfg, path
}

const secretCustomer = "cust-secret-77"

func loggedTraffic(t *testing.T, env *obsEnv) (evaluated receipt, redeemed receipt) {
	t.Helper()
	body := `{"cart":{"currency":"USD","items":[{"id":"l1","sku":"TV-1","quantity":1,"unit_price":30000}],"attributes":{"gift_note":"for Mary"}},"customer":{"id":"` + secretCustomer + `","tier":"premium","attributes":{"email":"m@example.com"}},"codes":["NOPE"],"context":{"now":"2026-11-24T12:00:00Z"}}`
	req, err := http.NewRequest(http.MethodPost, "http://sidecar/v1/evaluate", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Request-Id", "req-1")
	resp, err := env.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(resp.Body).Decode(&evaluated); err != nil || resp.StatusCode != 200 {
		t.Fatalf("evaluate: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	rbody := strings.Replace(body, `{"cart"`, `{"order_id":"o-1","idempotency_key":"k-1","cart"`, 1)
	for range 2 { // the second is a replay
		code, out := env.Do(t, http.MethodPost, "/v1/redemptions", []byte(rbody))
		if code != 200 || json.Unmarshal(out, &redeemed) != nil {
			t.Fatalf("redeem: %d %s", code, out)
		}
	}
	if code, out := env.Do(t, http.MethodPost, "/v1/redemptions/"+redeemed.RedemptionID+"/rollback", nil); code != 200 {
		t.Fatalf("rollback: %d %s", code, out)
	}
	return evaluated, redeemed
}

func TestDecisionLogHashesCustomers(t *testing.T) {
	cfg, path := logConfig(t, 1, false)
	env := newObsEnv(t, cfg)
	evaluated, redeemed := loggedTraffic(t, env)
	raw, lines := logLines(t, env, path)
	if len(lines) != 4 {
		t.Fatalf("%d lines, want evaluate, redeem, replay, rollback:\n%s", len(lines), strings.Join(raw, "\n"))
	}
	for i, kind := range []string{"evaluate", "redeem", "redeem", "rollback"} {
		l := lines[i]
		if l.Kind != kind || l.Time.IsZero() || l.CustomerHash == "" || l.CustomerID != "" || l.Currency != "USD" {
			t.Errorf("line %d: %+v", i, l)
		}
		if l.CustomerHash != lines[0].CustomerHash {
			t.Errorf("line %d: hash %q, want the same customer's %q", i, l.CustomerHash, lines[0].CustomerHash)
		}
	}
	for _, leak := range []string{secretCustomer, "Mary", "example.com", "NOPE", "tier", "premium\""} {
		for _, r := range raw {
			if strings.Contains(r, leak) {
				t.Errorf("the log shows %q: %s", leak, r)
			}
		}
	}
	ev := lines[0]
	if ev.BundleRevision != "examples-2026.11" || ev.RequestID != "req-1" || ev.Total != evaluated.Total ||
		ev.Subtotal != evaluated.Subtotal || ev.Discount != evaluated.Discount || len(ev.Rejected) != len(evaluated.Rejected) {
		t.Errorf("evaluate line %+v\nfor decision %+v", ev, evaluated.Decision)
	}
	if len(ev.Applied) == 0 || ev.Applied[0].Campaign != evaluated.Applied[0].Campaign || ev.Applied[0].Amount == 0 {
		t.Errorf("applied %+v, decision %+v", ev.Applied, evaluated.Applied)
	}
	if !strings.Contains(raw[0], `"reason":"code_invalid"`) || !strings.Contains(raw[0], `"latency_us":`) {
		t.Errorf("evaluate line lacks the invalid code's rejection or the latency: %s", raw[0])
	}
	rd, replay, rb := lines[1], lines[2], lines[3]
	if rd.RedemptionID != redeemed.RedemptionID || rd.OrderID != "o-1" || rd.Replay || rd.Total != redeemed.Total {
		t.Errorf("redeem line %+v", rd)
	}
	if replay.RedemptionID != redeemed.RedemptionID || !replay.Replay || replay.Total != redeemed.Total || len(replay.Applied) != len(rd.Applied) {
		t.Errorf("replay line %+v, first %+v", replay, rd)
	}
	if rb.RedemptionID != redeemed.RedemptionID || rb.OrderID != "o-1" || rb.Replay || len(rb.Applied) == 0 {
		t.Errorf("rollback line %+v", rb)
	}
}

func TestDecisionLogCustomerIDsInClear(t *testing.T) {
	cfg, path := logConfig(t, 1, true)
	env := newObsEnv(t, cfg)
	loggedTraffic(t, env)
	_, lines := logLines(t, env, path)
	for i, l := range lines {
		if l.CustomerID != secretCustomer || l.CustomerHash != "" {
			t.Errorf("line %d: customer %q hash %q", i, l.CustomerID, l.CustomerHash)
		}
	}
}

func TestDecisionLogSampling(t *testing.T) {
	const n = 400
	for _, tc := range []struct {
		sample   float64
		min, max int
	}{
		{0, 0, 0},
		{0.5, n/2 - 60, n/2 + 60}, // 6 standard deviations of Binomial(400, 0.5)
		{1, n, n},
	} {
		cfg, path := logConfig(t, tc.sample, false)
		env := newObsEnv(t, cfg)
		for range n {
			env.Evaluate(t, goodBody)
		}
		_, lines := logLines(t, env, path)
		if len(lines) < tc.min || len(lines) > tc.max {
			t.Errorf("sample %v: %d lines of %d evaluates, want %d to %d", tc.sample, len(lines), n, tc.min, tc.max)
		}
	}
}

func TestDecisionLogRefusesBadConfig(t *testing.T) {
	for _, tc := range []struct {
		mut  func(*sidecar.Config)
		want string
	}{
		{func(c *sidecar.Config) { c.DecisionLog.Sample = 1.5 }, "from 0 to 1, got 1.5"},
		{func(c *sidecar.Config) { c.DecisionLog.Sample = -0.1 }, "from 0 to 1"},
		{func(c *sidecar.Config) {
			c.DecisionLog.Destination = filepath.Join(t.TempDir(), "no", "such", "dir", "d.log")
		}, "opening"},
	} {
		cfg := sidecar.DefaultConfig()
		tc.mut(&cfg)
		_, err := sidecar.New(cfg, sidecar.Deps{Engine: engine(t)})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one saying %q", err, tc.want)
		}
	}
}
