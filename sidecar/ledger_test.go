package sidecar_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies"
)

// points is what the customer's standing redemptions earned, as the
// ledger shows it. (The store's tests check the credits and balance
// behind it: TestPointsCreditedOnceAndTakenBack.)
func (e *redeemEnv) points(t *testing.T, customer string) int64 {
	t.Helper()
	_, out := e.DoAs(t, adminToken, "GET", "/v1/redemptions?customer="+customer, nil)
	var ledger struct {
		Redemptions []struct {
			Status    string
			Campaigns []struct{ Points int64 }
		}
	}
	if err := json.Unmarshal(out, &ledger); err != nil {
		t.Fatalf("ledger: %v: %s", err, out)
	}
	var n int64
	for _, r := range ledger.Redemptions {
		for _, c := range r.Campaigns {
			if r.Status == string(policies.Redeemed) {
				n += c.Points
			}
		}
	}
	return n
}

// newLedgerEnv is a sidecar with campaigns a (always) and b (code BEE)
// and five redemptions, o0 to o4, of customer u(i%customers), with BEE
// on the even ones.
func newLedgerEnv(t *testing.T, customers int) *redeemEnv {
	t.Helper()
	e := newRedeemEnv(t, map[string]string{
		"a": `{"effects":[{"type":"amount_off","amount":100}]}`,
		"b": `{"code":"BEE","effects":[{"type":"amount_off","amount":10}]}`,
	})
	for i := range 5 {
		codes := []string{}
		if i%2 == 0 {
			codes = append(codes, "BEE")
		}
		e.redeem(t, redeemBody(fmt.Sprint("o", i), fmt.Sprint("k", i), fmt.Sprint("u", i%customers), 1000, codes...))
	}
	return e
}

func TestLedgerExport(t *testing.T) {
	e := newLedgerEnv(t, 2)
	_, out := e.DoAs(t, adminToken, "GET", "/v1/redemptions?campaign=b", nil)
	var list struct{ Redemptions []map[string]any }
	if err := json.Unmarshal(out, &list); err != nil || len(list.Redemptions) != 3 {
		t.Fatalf("json: %v %s", err, out)
	}
	_, out = e.DoAs(t, adminToken, "GET", "/v1/redemptions?customer=u1&format=ndjson", nil)
	if lines := strings.Split(strings.TrimSpace(string(out)), "\n"); len(lines) != 2 {
		t.Fatalf("ndjson: %s", out)
	}
	_, out = e.DoAs(t, adminToken, "GET", "/v1/redemptions?format=csv", nil)
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil || len(rows) != 6 || rows[0][0] != "redemption_id" || rows[1][6] != "a;b" || rows[1][8] != "110" {
		t.Fatalf("csv: %v %q", err, rows)
	}
	_, out = e.DoAs(t, adminToken, "GET", "/v1/redemptions?since=2999-01-01T00:00:00Z", nil)
	if !strings.Contains(string(out), `"redemptions":[]`) {
		t.Fatalf("since: %s", out)
	}
	if status, _ := e.DoAs(t, adminToken, "GET", "/v1/redemptions?format=xml", nil); status != 400 {
		t.Fatalf("bad format: %d", status)
	}
	status, out := e.Do(t, "GET", "/v1/campaigns/a", nil)
	if status != 200 || !strings.Contains(string(out), `"usage":{"redemptions":5,"budget_spent":500}`) {
		t.Fatalf("usage: %s", out)
	}
}

// TestLedgerSearch finds redemptions by order and by code (any case), alone
// and with the other filters, as the dashboard's search asks.
func TestLedgerSearch(t *testing.T) {
	e := newLedgerEnv(t, 3)
	for _, tc := range []struct {
		query string
		want  []string // orders
	}{
		{"order=o3", []string{"o3"}},
		{"order=nope", nil},
		{"code=bee", []string{"o0", "o2", "o4"}},
		{"code=%20BEE%20", []string{"o0", "o2", "o4"}},
		{"code=BEE&customer=u1", []string{"o4"}},
		{"code=BEE&order=o1", nil},
		{"code=NOPE", nil},
		{"customer=u0&campaign=a", []string{"o0", "o3"}},
	} {
		status, out := e.DoAs(t, adminToken, "GET", "/v1/redemptions?format=ndjson&"+tc.query, nil)
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if line == "" {
				continue
			}
			var r struct {
				OrderID string `json:"order_id"`
			}
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatalf("%s: %v %s", tc.query, err, line)
			}
			got = append(got, r.OrderID)
		}
		if status != 200 || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %d %v, want %v", tc.query, status, got, tc.want)
		}
	}
}
