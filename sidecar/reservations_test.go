package sidecar_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar/api"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// with adds fields to a JSON object body.
func with(body, fields string) string { return "{" + fields + "," + body[1:] }

type reservation struct {
	policies.Decision
	ReservationID string    `json:"reservation_id"`
	ExpiresAt     time.Time `json:"expires_at"`
}

func (e *redeemEnv) reserve(t *testing.T, body string) (int, reservation, []byte) {
	t.Helper()
	status, out := e.Do(t, "POST", "/v1/reservations", []byte(body))
	var r reservation
	if status == 200 {
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	return status, r, out
}

func (e *redeemEnv) reservationState(t *testing.T, id string) (int, api.Reservation) {
	t.Helper()
	status, out := e.Do(t, "GET", "/v1/reservations/"+id, nil)
	var r api.Reservation
	if status == 200 {
		if err := json.Unmarshal(out, &r); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	return status, r
}

func (e *redeemEnv) used(t *testing.T, campaign, customer string) policies.Used {
	t.Helper()
	u, err := e.store.Used(context.Background(), campaign, customer)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func commitBody(order, key, customer, id string, price int) string {
	return with(redeemBody(order, key, customer, price), fmt.Sprintf(`"reservation_id":%q`, id))
}

// TestReservationHoldsThenCommits: a reservation takes the last unit of a
// limit, so evaluate and redeem of others see it used; its commit uses
// the hold (a per-customer limit of one is not tripped by the customer's
// own hold), takes more when the cart grew, and is idempotent.
func TestReservationHoldsThenCommits(t *testing.T) {
	e := newRedeemEnv(t, map[string]string{
		"last":   `{"limits":{"redemptions":1},"effects":[{"type":"amount_off","amount":100}]}`,
		"once":   `{"limits":{"per_customer":1},"effects":[{"type":"amount_off","amount":50}]}`,
		"budget": `{"limits":{"budget":1500},"effects":[{"type":"percent_off","percent":10}]}`,
	})
	status, rs, out := e.reserve(t, with(redeemBody("", "r1", "ann", 5000), `"ttl_seconds":60`))
	if status != 200 || rs.ReservationID == "" || time.Until(rs.ExpiresAt) < 50*time.Second || rs.Discount != 650 {
		t.Fatalf("reserve: %d %s", status, out)
	}
	if s, st := e.reservationState(t, rs.ReservationID); s != 200 || st.Status != policies.Held || st.CustomerID != "ann" {
		t.Fatalf("get: %d %+v", s, st)
	}
	d := e.Evaluate(t, redeemBody("x", "x", "bob", 5000))
	if r := reasonFor(receipt{Decision: *d}, "last"); r != policies.LimitExhausted {
		t.Fatalf("evaluate while held: last %q", r)
	}
	if _, r, _ := e.redeem(t, redeemBody("o-bob", "k-bob", "bob", 5000)); appliedTo(r, "last") {
		t.Fatal("another redeem took what the reservation holds")
	}
	// The customer's own per_customer use is the hold: the commit uses it.
	// The cart grew: the budget's 10% takes 1000 where 500 was held.
	status, rc, out := e.redeem(t, commitBody("o-ann", "c1", "ann", rs.ReservationID, 10000))
	if status != 200 || !appliedTo(rc, "last") || !appliedTo(rc, "once") || !appliedTo(rc, "budget") {
		t.Fatalf("commit: %d %s", status, out)
	}
	if u := e.used(t, "last", ""); u.Redemptions != 1 {
		t.Fatalf("last used %+v after the commit", u)
	}
	if u := e.used(t, "once", "ann"); u.Customer != 1 {
		t.Fatalf("once used %+v by ann", u)
	}
	if u := e.used(t, "budget", ""); u.Spent != 1000+500 { // bob's 500 and ann's 1000
		t.Fatalf("budget spent %+v", u)
	}
	if s, st := e.reservationState(t, rs.ReservationID); s != 200 || st.Status != policies.Committed || st.RedemptionID != rc.RedemptionID {
		t.Fatalf("get after commit: %d %+v, want committed as %s", s, st, rc.RedemptionID)
	}
	// Committing again, even under another key, is the same redemption.
	status, again, out := e.redeem(t, commitBody("o-ann", "c2", "ann", rs.ReservationID, 10000))
	if status != 200 || again.RedemptionID != rc.RedemptionID {
		t.Fatalf("second commit: %d %s", status, out)
	}
	// Releasing a committed reservation changes nothing.
	if s, out := e.Do(t, "DELETE", "/v1/reservations/"+rs.ReservationID, nil); s != 200 || e.used(t, "last", "").Redemptions != 1 {
		t.Fatalf("release after commit: %d %s", s, out)
	}
	// A reservation id is not a redemption: no rollback through that path.
	if s, _ := e.Do(t, "POST", "/v1/redemptions/"+rs.ReservationID+"/rollback", nil); s != 404 {
		t.Fatalf("rollback of a reservation id: %d", s)
	}
}

// TestReservationRelease: DELETE gives everything back, once; the
// released reservation cannot be committed.
func TestReservationRelease(t *testing.T) {
	e := newRedeemEnv(t, map[string]string{
		"last": `{"limits":{"redemptions":1,"budget":100},"effects":[{"type":"amount_off","amount":100}]}`,
	})
	_, rs, out := e.reserve(t, redeemBody("o1", "r1", "ann", 5000))
	if rs.ReservationID == "" || time.Until(rs.ExpiresAt) < 890*time.Second { // ttl defaults to 900 s
		t.Fatalf("reserve: %s", out)
	}
	if u := e.used(t, "last", "ann"); u.Redemptions != 1 || u.Customer != 1 || u.Spent != 100 {
		t.Fatalf("held usage %+v", u)
	}
	for range 2 {
		if s, out := e.Do(t, "DELETE", "/v1/reservations/"+rs.ReservationID, nil); s != 200 {
			t.Fatalf("release: %d %s", s, out)
		}
		if u := e.used(t, "last", "ann"); u != (policies.Used{}) {
			t.Fatalf("usage after release %+v", u)
		}
	}
	if _, st := e.reservationState(t, rs.ReservationID); st.Status != policies.Released || st.ReleasedAt == nil {
		t.Fatalf("get after release: %+v", st)
	}
	if s, out := e.Do(t, "POST", "/v1/redemptions", []byte(commitBody("o1", "c1", "ann", rs.ReservationID, 5000))); s != 409 {
		t.Fatalf("commit after release: %d %s", s, out)
	}
	if _, r, _ := e.redeem(t, redeemBody("o2", "k2", "bob", 5000)); !appliedTo(r, "last") {
		t.Fatal("the released unit was not available")
	}
}

// TestReservationExpires: a hold past expires_at is released within a
// second and cannot be committed (409 reservation_expired).
func TestReservationExpires(t *testing.T) {
	e := newRedeemEnv(t, map[string]string{
		"last": `{"limits":{"redemptions":1},"effects":[{"type":"amount_off","amount":100}]}`,
	})
	_, rs, out := e.reserve(t, with(redeemBody("o1", "r1", "ann", 5000), `"ttl_seconds":1`))
	if rs.ReservationID == "" {
		t.Fatalf("reserve: %s", out)
	}
	for e.used(t, "last", "").Redemptions != 0 {
		if time.Now().After(rs.ExpiresAt.Add(time.Second)) {
			t.Fatal("not released within a second of expires_at")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, st := e.reservationState(t, rs.ReservationID); st.Status != policies.HoldExpired {
		t.Fatalf("get after expiry: %+v", st)
	}
	s, out := e.Do(t, "POST", "/v1/redemptions", []byte(commitBody("o1", "c1", "ann", rs.ReservationID, 5000)))
	var body api.Error
	_ = json.Unmarshal(out, &body)
	if s != 409 || body.Error.Code != "reservation_expired" {
		t.Fatalf("commit after expiry: %d %s", s, out)
	}
}

// TestReservationBadInput: each is refused with a clear error and holds
// nothing; a refused commit leaves the hold as it was.
func TestReservationBadInput(t *testing.T) {
	e := newRedeemEnv(t, map[string]string{
		"last": `{"limits":{"redemptions":1},"effects":[{"type":"amount_off","amount":100}]}`,
	})
	body := redeemBody("o1", "r1", "ann", 5000)
	for _, tc := range []struct{ name, body, field string }{
		{"ttl zero", with(body, `"ttl_seconds":0`), "ttl_seconds"},
		{"ttl over a week", with(body, `"ttl_seconds":604801`), "ttl_seconds"},
		{"ttl not a number", with(body, `"ttl_seconds":"60"`), "ttl_seconds"},
		{"ttl fractional", with(body, `"ttl_seconds":1.5`), "ttl_seconds"},
		{"no idempotency key", `{"cart":{"currency":"USD","items":[]}}`, "idempotency_key"},
	} {
		s, out := e.Do(t, "POST", "/v1/reservations", []byte(tc.body))
		var eb api.Error
		_ = json.Unmarshal(out, &eb)
		if s != 400 || eb.Error.Field != tc.field {
			t.Errorf("%s: %d %s", tc.name, s, out)
		}
	}
	if u := e.used(t, "last", ""); u.Redemptions != 0 {
		t.Fatalf("bad input held %+v", u)
	}
	_, rs, out := e.reserve(t, body)
	if rs.ReservationID == "" {
		t.Fatalf("reserve: %s", out)
	}
	for _, tc := range []struct {
		name, body string
		status     int
		code       string
	}{
		{"someone else's with another cart", commitBody("o2", "c1", "bob", rs.ReservationID, 9000), 409, "reservation_mismatch"},
		{"unknown id", commitBody("o2", "c2", "ann", "rs_0000000000000000000000000000", 5000), 404, "not_found"},
		{"not a reservation id", commitBody("o2", "c3", "ann", "rd_123", 5000), 404, "not_found"},
		{"empty id", commitBody("o2", "c4", "ann", "", 5000), 400, "invalid_request"},
	} {
		s, out := e.Do(t, "POST", "/v1/redemptions", []byte(tc.body))
		var eb api.Error
		_ = json.Unmarshal(out, &eb)
		if s != tc.status || eb.Error.Code != tc.code {
			t.Errorf("%s: %d %s", tc.name, s, out)
		}
	}
	if s, _ := e.Do(t, "GET", "/v1/reservations/rs_nope", nil); s != 404 {
		t.Errorf("get unknown: %d", s)
	}
	if s, _ := e.Do(t, "DELETE", "/v1/reservations/rs_nope", nil); s != 404 {
		t.Errorf("release unknown: %d", s)
	}
	if u := e.used(t, "last", "ann"); u.Redemptions != 1 || u.Customer != 1 {
		t.Fatalf("the hold changed after refused commits: %+v", u)
	}
	if _, st := e.reservationState(t, rs.ReservationID); st.Status != policies.Held {
		t.Fatalf("after refused commits: %+v", st)
	}
	n := 0
	_ = e.store.Redemptions(context.Background(), policies.LedgerQuery{}, func(*policies.Redemption) error { n++; return nil })
	if n != 0 {
		t.Fatalf("the ledger has %d redemptions; holds and refusals write none", n)
	}
}

// TestReservationsRaceRedeems: reservations, their commits and releases,
// and plain redeems race for a limit of N: never more than N stand, and
// the usage left is exactly the redemptions that stand.
func TestReservationsRaceRedeems(t *testing.T) {
	const limit = 10
	e := newRedeemEnv(t, map[string]string{
		"n": fmt.Sprintf(`{"limits":{"redemptions":%d},"effects":[{"type":"amount_off","amount":100}]}`, limit),
	})
	var mu sync.Mutex
	standing := 0
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			cust := fmt.Sprint("u", i)
			if i%2 == 0 {
				_, r, _ := e.redeem(t, redeemBody(fmt.Sprint("o", i), fmt.Sprint("k", i), cust, 5000))
				if appliedTo(r, "n") {
					mu.Lock()
					standing++
					mu.Unlock()
				}
				return
			}
			_, rs, out := e.reserve(t, redeemBody("", fmt.Sprint("r", i), cust, 5000))
			if rs.ReservationID == "" {
				t.Errorf("reserve %d: %s", i, out)
				return
			}
			if i%4 == 1 {
				if s, out := e.Do(t, "DELETE", "/v1/reservations/"+rs.ReservationID, nil); s != 200 {
					t.Errorf("release %d: %d %s", i, s, out)
				}
				return
			}
			_, r, _ := e.redeem(t, commitBody(fmt.Sprint("o", i), fmt.Sprint("c", i), cust, rs.ReservationID, 5000))
			if appliedTo(r, "n") {
				mu.Lock()
				standing++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	u := e.used(t, "n", "")
	if standing > limit || int(u.Redemptions) != standing {
		t.Fatalf("%d redemptions stand for a limit of %d; usage %+v", standing, limit, u)
	}
	rep, err := e.store.Check(context.Background())
	if err != nil || len(rep.Mismatches) > 0 {
		t.Fatalf("integrity: %v %+v", err, rep)
	}
}

// TestReservationHoldsRewards: a reservation spends the reward's points and
// takes its stock as a redemption would, so the last unit is not offered
// to another customer; its commit uses them, and a release gives the
// points back.
func TestReservationHoldsRewards(t *testing.T) {
	eng, st := storeEngine(t, map[string]string{
		".manifest":               `{"revision":"w1","roots":["promo"]}`,
		"promo/loyalty/data.yaml": testProgram,
	}, func(cfg *policies.Config, st *store.Store) { cfg.Wallets = st })
	e := &walletEnv{Sidecar: sidecartest.StartWith(t, eng, st, adminToken), store: st}
	re := &redeemEnv{Sidecar: e.Sidecar, store: st}
	for _, c := range []string{"u-1", "u-2", "u-3"} {
		if s, out := e.admin(t, "/v1/wallets/"+c+"/adjust", fmt.Sprintf(`{"points":500,"reason":"welcome","idempotency_key":%q}`, c)); s != 200 {
			t.Fatalf("adjust: %d %s", s, out)
		}
	}
	body := func(customer, reward string, fields string) string {
		return fmt.Sprintf(`{%s"customer":{"id":%q},"rewards":[%q],"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":10000}]}}`, fields, customer, reward)
	}
	balance := func(c string) int64 { return e.wallet(t, c, "").Balance }
	_, rs, out := re.reserve(t, body("u-1", "socks", `"idempotency_key":"r1",`))
	if rs.ReservationID == "" || balance("u-1") != 400 {
		t.Fatalf("reserve socks: %s, balance %d", out, balance("u-1"))
	}
	var d pricedReward
	if s, out := e.Do(t, "POST", "/v1/evaluate", []byte(body("u-2", "socks", ""))); s != 200 || json.Unmarshal(out, &d) != nil ||
		len(d.Rejected) != 1 || d.Rejected[0].Reason != string(policies.OutOfStock) {
		t.Fatalf("evaluate of the held last unit: %d %s", s, out)
	}
	var rc pricedReward
	s, out := e.Do(t, "POST", "/v1/redemptions", []byte(body("u-1", "socks", fmt.Sprintf(`"reservation_id":%q,"order_id":"o1","idempotency_key":"c1",`, rs.ReservationID))))
	if s != 200 || json.Unmarshal(out, &rc) != nil || len(rc.Applied) != 1 || rc.Applied[0].Reward != "socks" || balance("u-1") != 400 {
		t.Fatalf("commit: %d %s, balance %d", s, out, balance("u-1"))
	}
	_, rs, out = re.reserve(t, body("u-3", "five-off", `"idempotency_key":"r3",`))
	if rs.ReservationID == "" || balance("u-3") != 0 {
		t.Fatalf("reserve five-off: %s, balance %d", out, balance("u-3"))
	}
	if s, out := e.Do(t, "DELETE", "/v1/reservations/"+rs.ReservationID, nil); s != 200 || balance("u-3") != 500 {
		t.Fatalf("release: %d %s, balance %d", s, out, balance("u-3"))
	}
}
