package sidecar_test

import (
	"encoding/json"
	"strings"
	"testing"
)

type earned struct {
	Event  string
	Points int64
	Capped bool
}

func (e *walletEnv) event(t *testing.T, body string) (int, earned) {
	t.Helper()
	status, out := e.Do(t, "POST", "/v1/events", []byte(body))
	var r earned
	json.Unmarshal(out, &r)
	return status, r
}

// TestEventsEarnCappedPerDayOnce: an event credits its type's points once
// per event id, up to the daily cap per customer in the program's zone;
// a day later (Dublin) the cap starts again.
func TestEventsEarnCappedPerDayOnce(t *testing.T) {
	e := newWalletEnv(t)
	review := func(id, at string) string {
		return `{"id":"` + id + `","type":"review_written","customer_id":"u-1","at":"` + at + `"}`
	}
	if s, r := e.event(t, review("e1", "2026-03-01T10:00:00Z")); s != 200 || r.Points != 50 || r.Capped {
		t.Fatalf("first: %d %+v", s, r)
	}
	if s, r := e.event(t, review("e1", "2026-03-01T10:00:00Z")); s != 200 || r.Points != 50 {
		t.Fatalf("replay: %d %+v", s, r)
	}
	if s, r := e.event(t, review("e2", "2026-03-01T23:30:00Z")); s != 200 || r.Points != 0 || !r.Capped {
		t.Fatalf("second the same Dublin day: %d %+v", s, r)
	}
	if s, r := e.event(t, review("e3", "2026-03-02T00:30:00Z")); s != 200 || r.Points != 50 {
		t.Fatalf("next day: %d %+v", s, r)
	}
	if s, r := e.event(t, `{"id":"e4","type":"order_placed","customer_id":"u-1"}`); s != 200 || r.Points != 0 || r.Capped {
		t.Fatalf("a type without earning: %d %+v", s, r)
	}
	if v := e.wallet(t, "u-1", "2026-03-02T12:00:00Z"); v.Balance != 100 {
		t.Fatalf("wallet %+v", v)
	}
}

// TestBadWalletInputWritesNothing: malformed events, anonymous events,
// unknown or checkout rewards, overdrawn, absurd or unauthorised
// adjustments are refused with a clear error and leave the ledger as it was.
func TestBadWalletInputWritesNothing(t *testing.T) {
	e := newWalletEnv(t)
	e.admin(t, "/v1/wallets/u-1/adjust", `{"points":100,"reason":"seed","idempotency_key":"a0"}`)
	for _, c := range []struct {
		path, body string
		admin      bool
		status     int
		want       string
	}{
		{"/v1/events", `{"id":"x","type":"review_written"}`, false, 400, `"field":"customer_id"`},
		{"/v1/events", `{"type":"review_written","customer_id":"u-1"}`, false, 400, `"field":"id"`},
		{"/v1/events", `{"id":"x","type":"Bad Type","customer_id":"u-1"}`, false, 400, `"field":"type"`},
		{"/v1/events", `{"id":"x","type":"review_written","customer_id":"u-1","at":"noon"}`, false, 400, `"field":"at"`},
		{"/v1/events", `[1,2]`, false, 400, "JSON object"},
		{"/v1/wallets/u-1/rewards", `{"reward":"nope","idempotency_key":"c1"}`, false, 404, "reward_unknown"},
		{"/v1/wallets/u-1/rewards", `{"reward":"five-off","idempotency_key":"c1"}`, false, 400, "checkout"},
		{"/v1/wallets/u-1/rewards", `{"reward":"tree"}`, false, 400, "idempotency_key"},
		{"/v1/wallets/u-1/rewards", `{"reward":"tree","idempotency_key":"c1","extra":1}`, false, 400, "unknown field"},
		{"/v1/wallets/u-1/adjust", `{"points":-101,"reason":"x","idempotency_key":"a1"}`, true, 409, "insufficient_points"},
		{"/v1/wallets/u-1/adjust", `{"points":10000000000000,"reason":"x","idempotency_key":"a1"}`, true, 400, `"field":"points"`},
		{"/v1/wallets/u-1/adjust", `{"points":5,"idempotency_key":"a1"}`, true, 400, `"field":"reason"`},
		{"/v1/wallets/u-1/adjust", `{"points":5,"reason":"x","idempotency_key":"a1"}`, false, 401, "unauthorized"},
		{"/v1/wallets/u-1/adjust", `{"points":100,"reason":"seed","idempotency_key":"a0","x":1}`, true, 400, "unknown field"},
	} {
		var status int
		var out []byte
		if c.admin {
			status, out = e.admin(t, c.path, c.body)
		} else {
			status, out = e.Do(t, "POST", c.path, []byte(c.body))
		}
		if status != c.status || !strings.Contains(string(out), c.want) {
			t.Errorf("%s %s: %d %s, want %d with %q", c.path, c.body, status, out, c.status, c.want)
		}
	}
	_, out := e.Do(t, "GET", "/v1/wallets/u-1/transactions?format=ndjson", nil)
	if n := strings.Count(string(out), "\n"); n != 1 {
		t.Fatalf("bad input wrote to the ledger: %s", out)
	}
	if status, out := e.Do(t, "POST", "/v1/wallets/u-1/rewards", []byte(`{"reward":"tree","idempotency_key":"c9"}`)); status != 409 || !strings.Contains(string(out), "insufficient_points") {
		t.Fatalf("claim beyond the balance: %d %s", status, out)
	}
	e.admin(t, "/v1/wallets/u-1/adjust", `{"points":100,"reason":"more","idempotency_key":"a2"}`)
	for range 2 {
		status, out := e.Do(t, "POST", "/v1/wallets/u-1/rewards", []byte(`{"reward":"tree","idempotency_key":"c9"}`))
		if status != 200 || !strings.Contains(string(out), `"balance":0`) || !strings.Contains(string(out), `"charity":"one-tree-planted"`) {
			t.Fatalf("claim: %d %s", status, out)
		}
	}
}
