package sidecar_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

const adminToken = "s3cret"

// redeemEnv is a sidecar over a real bbolt store and a bundle of the given
// campaign documents (JSON by id).
type redeemEnv struct {
	*sidecartest.Sidecar
	store *store.Store
}

func newRedeemEnv(t *testing.T, campaigns map[string]string) *redeemEnv {
	t.Helper()
	dir := t.TempDir()
	rev := writeBundle(t, dir, "t1", campaigns)
	st, err := store.Open(store.DefaultConfig(filepath.Join(dir, "data")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := policies.NewEngine(policies.Config{Usage: st, Codes: st, Committer: st})
	e.Swap(rev)
	return &redeemEnv{Sidecar: sidecartest.StartWith(t, e, st, adminToken), store: st}
}

func redeemBody(order, key, customer string, unitPrice int, codes ...string) string {
	cust := ""
	if customer != "" {
		cust = fmt.Sprintf(`,"customer":{"id":%q}`, customer)
	}
	cs := ""
	if len(codes) > 0 {
		cs = `,"codes":["` + strings.Join(codes, `","`) + `"]`
	}
	return fmt.Sprintf(`{"order_id":%q,"idempotency_key":%q,"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":%d}]},"context":{"now":"2026-11-24T12:00:00Z"}%s%s}`,
		order, key, unitPrice, cust, cs)
}

type receipt struct {
	policies.Decision
	RedemptionID string `json:"redemption_id"`
}

func (e *redeemEnv) redeem(t *testing.T, body string) (int, receipt, []byte) {
	t.Helper()
	status, out := e.Do(t, "POST", "/v1/redemptions", []byte(body))
	var r receipt
	if status == 200 {
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	return status, r, out
}

func appliedTo(r receipt, campaign string) bool {
	for _, a := range r.Applied {
		if a.Campaign == campaign && a.Amount > 0 {
			return true
		}
	}
	return false
}

func reasonFor(r receipt, campaign string) policies.Reason {
	for _, x := range r.Rejected {
		if x.Campaign == campaign {
			return x.Reason
		}
	}
	return ""
}

// concurrently redeems n bodies at once and returns how many got campaign
// and the rejection reasons of the others.
func (e *redeemEnv) concurrently(t *testing.T, n int, body func(i int) string, campaign string) (int, map[policies.Reason]int) {
	t.Helper()
	var mu sync.Mutex
	got := 0
	reasons := map[policies.Reason]int{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			status, r, out := e.redeem(t, body(i))
			if status != 200 {
				t.Errorf("redeem %d: %d %s", i, status, out)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if appliedTo(r, campaign) {
				got++
			} else {
				reasons[reasonFor(r, campaign)]++
			}
		})
	}
	wg.Wait()
	return got, reasons
}

func TestRedeemRaceNeverExceedsLimits(t *testing.T) {
	e := newRedeemEnv(t, map[string]string{
		"first-20":  `{"limits":{"redemptions":20},"effects":[{"type":"amount_off","amount":100}]}`,
		"budget-10": `{"limits":{"budget":1000},"effects":[{"type":"amount_off","amount":100}]}`,
		"once-each": `{"limits":{"per_customer":1},"effects":[{"type":"amount_off","amount":50}]}`,
	})
	got, reasons := e.concurrently(t, 100, func(i int) string {
		return redeemBody(fmt.Sprint("o", i), fmt.Sprint("k", i), fmt.Sprint("u", i%50), 5000)
	}, "first-20")
	if got != 20 || reasons[policies.LimitExhausted] != 80 {
		t.Fatalf("limit 20: %d applied, rejections %v", got, reasons)
	}
	// The budget of 10.00 holds exactly ten 1.00 discounts.
	u, _ := e.store.Used(context.Background(), "budget-10", "")
	if u.Redemptions != 10 || u.Spent != 1000 {
		t.Fatalf("budget usage %+v", u)
	}
	// 50 customers, two orders each: exactly one each.
	u, _ = e.store.Used(context.Background(), "once-each", "")
	if u.Redemptions != 50 {
		t.Fatalf("per customer: %d redemptions for 50 customers", u.Redemptions)
	}
	// Evaluate now shows the limit as used up and reserves nothing.
	d := e.Evaluate(t, redeemBody("x", "x", "new", 5000))
	if r := reasonFor(receipt{Decision: *d}, "first-20"); r != policies.LimitExhausted {
		t.Fatalf("evaluate after the limit: %q", r)
	}
	if r := reasonFor(receipt{Decision: *d}, "budget-10"); r != policies.BudgetExhausted {
		t.Fatalf("evaluate after the budget: %q", r)
	}
}

func TestRedeemPerCustomerRace(t *testing.T) {
	e := newRedeemEnv(t, map[string]string{
		"twice": `{"limits":{"per_customer":2},"effects":[{"type":"percent_off","percent":10}]}`,
	})
	got, reasons := e.concurrently(t, 40, func(i int) string {
		return redeemBody(fmt.Sprint("o", i), fmt.Sprint("k", i), "same-customer", 1000)
	}, "twice")
	if got != 2 || reasons[policies.PerCustomerLimit] != 38 {
		t.Fatalf("per customer 2: %d applied, %v", got, reasons)
	}
}

func TestBudgetNeverAppliedInPart(t *testing.T) {
	e := newRedeemEnv(t, map[string]string{
		"b": `{"limits":{"budget":1500},"effects":[{"type":"percent_off","percent":10}]}`,
	})
	if _, r, _ := e.redeem(t, redeemBody("o1", "k1", "u", 10000)); !appliedTo(r, "b") {
		t.Fatalf("first: %+v", r)
	}
	// 1000 would exceed the 500 left: rejected whole, not cut to 500.
	_, r, _ := e.redeem(t, redeemBody("o2", "k2", "u", 10000))
	if appliedTo(r, "b") || reasonFor(r, "b") != policies.BudgetExhausted || r.Discount != 0 {
		t.Fatalf("second: %+v", r)
	}
	// 400 still fits.
	if _, r, _ := e.redeem(t, redeemBody("o3", "k3", "u", 4000)); !appliedTo(r, "b") {
		t.Fatalf("third: %+v", r)
	}
}

func TestRedeemIsIdempotent(t *testing.T) {
	e := newRedeemEnv(t, map[string]string{"c": `{"limits":{"redemptions":5},"effects":[{"type":"amount_off","amount":100},{"type":"points","points":7}]}`})
	body := redeemBody("o1", "key-1", "u1", 1000)
	status, r1, out1 := e.redeem(t, body)
	if status != 200 || r1.RedemptionID == "" || !appliedTo(r1, "c") {
		t.Fatalf("%d %s", status, out1)
	}
	_, _, out2 := e.redeem(t, body)
	if !bytes.Equal(out1, out2) {
		t.Fatalf("replay differs:\n%s\n%s", out1, out2)
	}
	if u, _ := e.store.Used(context.Background(), "c", ""); u.Redemptions != 1 {
		t.Fatalf("counted %d times", u.Redemptions)
	}
	if pts := e.points(t, "u1"); pts != 7 {
		t.Fatalf("points %d", pts)
	}
	status, out := e.Do(t, "POST", "/v1/redemptions", []byte(redeemBody("o1", "key-1", "u1", 2000)))
	if status != http.StatusConflict || !strings.Contains(string(out), "idempotency_conflict") {
		t.Fatalf("other body, same key: %d %s", status, out)
	}
}

func TestRollbackGivesBackOnce(t *testing.T) {
	e := newRedeemEnv(t, map[string]string{"c": `{"limits":{"redemptions":1,"budget":100,"per_customer":1},"effects":[{"type":"amount_off","amount":100},{"type":"points","points":5}]}`})
	_, r, _ := e.redeem(t, redeemBody("o1", "k1", "u1", 1000))
	if !appliedTo(r, "c") {
		t.Fatalf("%+v", r)
	}
	if _, r2, _ := e.redeem(t, redeemBody("o2", "k2", "u2", 1000)); reasonFor(r2, "c") != policies.LimitExhausted {
		t.Fatalf("limit not used: %+v", r2)
	}
	for i := range 2 {
		status, out := e.Do(t, "POST", "/v1/redemptions/"+r.RedemptionID+"/rollback", nil)
		var rec map[string]any
		json.Unmarshal(out, &rec)
		if status != 200 || rec["status"] != "rolled_back" {
			t.Fatalf("rollback %d: %d %s", i, status, out)
		}
		u, _ := e.store.Used(context.Background(), "c", "u1")
		if u.Redemptions != 0 || u.Spent != 0 || u.Customer != 0 {
			t.Fatalf("after rollback %d: %+v", i, u)
		}
		if pts := e.points(t, "u1"); pts != 0 {
			t.Fatalf("points after rollback %d: %d", i, pts)
		}
	}
	if _, r3, _ := e.redeem(t, redeemBody("o3", "k3", "u3", 1000)); !appliedTo(r3, "c") {
		t.Fatalf("limit not given back: %+v", r3)
	}
	if status, _ := e.Do(t, "POST", "/v1/redemptions/rd_nope/rollback", nil); status != 404 {
		t.Fatalf("unknown id: %d", status)
	}
}

func TestBadRedeemsWriteNothing(t *testing.T) {
	e := newRedeemEnv(t, map[string]string{"c": `{"effects":[{"type":"amount_off","amount":100}]}`})
	for _, tc := range []struct {
		body  string
		field string
	}{
		{`{"cart":{"currency":"USD","items":[]},"idempotency_key":"k"}`, "order_id"},
		{`{"cart":{"currency":"USD","items":[]},"order_id":"o"}`, "idempotency_key"},
		{`{"cart":{"currency":"USD","items":[]},"order_id":"o","idempotency_key":"` + strings.Repeat("k", 300) + `"}`, "idempotency_key"},
		{`{"cart":{"currency":"USD","items":[{"id":"a","quantity":-1,"unit_price":1}]},"order_id":"o","idempotency_key":"k"}`, "cart.items[0].quantity"},
		{`{"order_id":`, ""},
	} {
		status, out := e.Do(t, "POST", "/v1/redemptions", []byte(tc.body))
		var eb errorBody
		json.Unmarshal(out, &eb)
		if status != 400 || eb.Error.Field != tc.field {
			t.Errorf("%s: %d %s", tc.body, status, out)
		}
	}
	n := 0
	e.store.Redemptions(context.Background(), policies.LedgerQuery{}, func(*policies.Redemption) error { n++; return nil })
	if n != 0 {
		t.Fatalf("%d redemptions written by bad requests", n)
	}
}

// TestAdminDisabledWithoutToken: a sidecar started without --admin-token
// answers 401 to an admin request without a token (docs/api.md#admin-endpoints) and 403 to
// one with a token, each saying admin endpoints are disabled.
func TestAdminDisabledWithoutToken(t *testing.T) {
	s := sidecartest.Start(t, engine(t))
	status, out := s.Do(t, "POST", "/v1/campaigns/socks-bogo/codes", []byte(`{"count":1,"pattern":"####"}`))
	if status != http.StatusUnauthorized || !strings.Contains(string(out), "admin-token") {
		t.Fatalf("no token: %d %s", status, out)
	}
	req, _ := http.NewRequest("POST", "http://sidecar/v1/campaigns/socks-bogo/disable", nil)
	req.Header.Set("Authorization", "Bearer guess")
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "admin_disabled") {
		t.Fatalf("a token: %d %s", resp.StatusCode, body)
	}
}
