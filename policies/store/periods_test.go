package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

// periodEngine is an engine on a real store with one campaign, "daily":
// at most 2 redemptions a day in Paris, 1 a customer.
func periodEngine(t *testing.T) (*policies.Engine, *Store) {
	t.Helper()
	now := func() time.Time { return time.Unix(0, clock.Load()) }
	st, err := Open(Config{Path: filepath.Join(t.TempDir(), "p.db"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fsys := fstest.MapFS{
		".manifest": {Data: []byte(`{"revision":"r1","roots":["promo"]}`)},
		"promo/campaigns/daily/data.json": {Data: []byte(`{"timezone":"Europe/Paris","effects":[{"type":"amount_off","amount":100}],
			"limits":{"per_period":{"period":"day","redemptions":2,"per_customer":1,"budget":1000}}}`)},
	}
	rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "test"}, fsys)
	if err != nil {
		t.Fatal(err)
	}
	eng := policies.NewEngine(policies.Config{Usage: st, Committer: st, Now: now})
	eng.Swap(rev)
	return eng, st
}

// clock is the periodEngine's clock: redeemAt sets it to the request's
// time, as a sidecar's clock and its checkout's agree.
var clock atomic.Int64

// openAt opens a store whose clock stands at now.
func openAt(t *testing.T, now time.Time) *Store {
	t.Helper()
	st, err := Open(Config{Path: filepath.Join(t.TempDir(), "p.db"), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func periodRequest(t *testing.T, eng *policies.Engine, customer, now string) *policies.Request {
	t.Helper()
	req, err := eng.Decode(fmt.Appendf(nil, `{"cart":{"currency":"EUR","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},
		"customer":{"id":%q},"context":{"now":%q}}`, customer, now))
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// outcome is "applied" or the rejection's reason and details.
func outcome(d *policies.Decision) string {
	if len(d.Applied) > 0 {
		return "applied"
	}
	if len(d.Rejected) > 0 {
		return fmt.Sprintf("%s %q", d.Rejected[0].Reason, d.Rejected[0].Details)
	}
	return "nothing"
}

// redeemAt evaluates, then redeems, and checks that both say want.
func redeemAt(t *testing.T, eng *policies.Engine, customer, now, want string) *policies.Redemption {
	t.Helper()
	ctx := context.Background()
	at, _ := time.Parse(time.RFC3339, now)
	clock.Store(at.UnixNano())
	ev, err := eng.Evaluate(ctx, periodRequest(t, eng, customer, now))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := eng.Redeem(ctx, &policies.RedeemRequest{Request: periodRequest(t, eng, customer, now),
		OrderID: "o", IdempotencyKey: customer + now, Hash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if got := outcome(ev); got != want {
		t.Errorf("%s at %s: evaluate %s, want %s", customer, now, got, want)
	}
	if got := outcome(rc.Decision); got != want {
		t.Errorf("%s at %s: redeem %s, want %s", customer, now, got, want)
	}
	return rc.Redemption
}

// Per-period limits count calendar days of the campaign's zone: both
// daylight-saving days of Paris (23 and 25 hours) hold their whole length
// and no more, the next day starts from zero, a rollback gives back to the
// redemption's own day, and what evaluate shows is what redeem does.
func TestPerPeriodLimitsAcrossDaylightSaving(t *testing.T) {
	eng, st := periodEngine(t)
	exhausted := `limit_exhausted ["daily limit"]`
	// 2026-03-29 has 23 hours: 00:10 CET and 23:50 CEST are 22 h 40 apart.
	redeemAt(t, eng, "a", "2026-03-29T00:10:00+01:00", "applied")
	b := redeemAt(t, eng, "b", "2026-03-29T23:50:00+02:00", "applied")
	redeemAt(t, eng, "c", "2026-03-29T12:00:00+02:00", exhausted)
	redeemAt(t, eng, "c", "2026-03-28T23:59:59+01:00", "applied")
	redeemAt(t, eng, "d", "2026-03-30T00:00:00+02:00", "applied")

	// a rollback gives back to the day it was taken in, once
	for range 2 {
		if _, err := st.Rollback(context.Background(), b.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if b.Campaigns[0].Period == "" {
		t.Fatal("the redemption does not record its period")
	}
	if u, _ := st.UsedIn(context.Background(), "daily", b.Campaigns[0].Period, "b"); u.PeriodRedemptions != 1 || u.PeriodCustomer != 0 || u.PeriodSpent != 100 {
		t.Errorf("the day after the rollback: %+v", u)
	}
	redeemAt(t, eng, "c", "2026-03-29T23:55:00+02:00", "applied")
	redeemAt(t, eng, "e", "2026-03-29T23:56:00+02:00", exhausted)

	// Later in the year, as a clock goes (a store prunes the periods that
	// ended before the latest request it committed, so the test does not
	// go back in time: it did, and failed whenever the pruning ran late).
	// 2026-10-25 has 25 hours: 00:30 CEST and 23:30 CET are 24 h apart, one day.
	redeemAt(t, eng, "a", "2026-10-25T00:30:00+02:00", "applied")
	redeemAt(t, eng, "a", "2026-10-25T02:30:00+02:00", `per_customer_limit ["daily limit"]`)
	redeemAt(t, eng, "b", "2026-10-25T23:30:00+01:00", "applied")
	redeemAt(t, eng, "c", "2026-10-25T23:59:59+01:00", exhausted)
	redeemAt(t, eng, "c", "2026-10-26T00:00:00+01:00", "applied")
	// the last hour of the day before is its own day
	redeemAt(t, eng, "c", "2026-10-24T23:59:59+02:00", "applied")
}

func TestPerPeriodBudgetIsNeverExceeded(t *testing.T) {
	st := openAt(t, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	p := policies.PeriodAt(policies.Week, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), time.UTC)
	c := func(amount int64) policies.RedeemedCampaign {
		return policies.RedeemedCampaign{Campaign: "w", Amount: amount, Period: p.Key(),
			Limits: policies.Limits{PerPeriod: policies.PeriodLimits{Kind: policies.Week, Budget: 100}}}
	}
	if _, _, ex, err := st.Commit(ctx, redemption("r1", "k1", "u", c(60))); err != nil || ex != nil {
		t.Fatal(ex, err)
	}
	if _, _, ex, err := st.Commit(ctx, redemption("r2", "k2", "u", c(41))); err != nil || ex["w"] != policies.BudgetExhausted {
		t.Fatalf("over the week's budget: %v %v", ex, err)
	}
	if _, _, ex, err := st.Commit(ctx, redemption("r3", "k3", "u", c(40))); err != nil || ex != nil {
		t.Fatalf("exactly the week's budget: %v %v", ex, err)
	}
	if u, _ := st.UsedIn(ctx, "w", p.Key(), "u"); u.PeriodRedemptions != 2 || u.PeriodSpent != 100 || u.PeriodCustomer != 2 {
		t.Errorf("week's usage %+v", u)
	}
}

// The counters and rights of periods that ended (PeriodGrace before the
// cutoff) are deleted, those of periods still running are kept, and a
// rollback into a pruned period writes nothing back.
func TestPrunePeriodsDropsEndedPeriods(t *testing.T) {
	st := openAt(t, time.Date(2026, 10, 25, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	day := policies.PeriodAt(policies.Day, time.Date(2026, 10, 25, 12, 0, 0, 0, paris), paris)
	next := day.Next()
	c := func(p policies.Period) policies.RedeemedCampaign {
		return policies.RedeemedCampaign{Campaign: "d", Amount: 5, Period: p.Key(),
			Limits: policies.Limits{PerPeriod: policies.PeriodLimits{Kind: policies.Day, Redemptions: 1000}}}
	}
	for i := range 30 {
		p := day
		if i%2 == 1 {
			p = next
		}
		r := redemption(fmt.Sprint("r", i), fmt.Sprint("k", i), fmt.Sprint("u", i), c(p))
		if _, _, ex, err := st.Commit(ctx, r); err != nil || ex != nil {
			t.Fatal(ex, err)
		}
	}
	err := st.UpdateFleet(func(f *FleetTx) error {
		for _, p := range []policies.Period{day, next} {
			for _, k := range []policies.LimitKind{policies.LimitPeriodRedemptions, policies.LimitPeriodBudget} {
				rk := policies.RightsKey{Campaign: "d", Period: p.Key(), Kind: k}
				if err := f.PutRights(rk, policies.Rights{Held: 3, Consumed: 1}); err != nil {
					return err
				}
				if err := f.PutMinted(rk, 4); err != nil {
					return err
				}
			}
		}
		return f.PutRights(policies.RightsKey{Campaign: "d", Kind: policies.LimitRedemptions}, policies.Rights{Held: 9})
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := st.PrunePeriods(day.End.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	// the day's campaign counter, 15 customers' counters, 2 rights, 2 minted
	if n != 1+15+2+2 {
		t.Errorf("pruned %d records, want %d", n, 1+15+2+2)
	}
	if u, _ := st.UsedIn(ctx, "d", day.Key(), "u0"); u.PeriodRedemptions != 0 || u.PeriodCustomer != 0 || u.PeriodSpent != 0 || u.Redemptions != 30 {
		t.Errorf("the ended day still counts %+v", u)
	}
	if u, _ := st.UsedIn(ctx, "d", next.Key(), "u1"); u.PeriodRedemptions != 15 || u.PeriodCustomer != 1 {
		t.Errorf("the running day counts %+v", u)
	}
	var keys []string
	st.ViewFleet(func(f *FleetTx) error {
		return f.EachRights(func(k policies.RightsKey, _ policies.Rights) error {
			keys = append(keys, k.Period+"/"+string(k.Kind))
			return nil
		})
	})
	want := []string{next.Key() + "/B", next.Key() + "/N", "/n"} // in key order
	if !slices.Equal(keys, want) {
		t.Errorf("rights after pruning %q, want %q", keys, want)
	}
	// rolling back a redemption of the pruned day writes no counter back
	if _, err := st.Rollback(ctx, "r0", time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := countBucket(t, st, bPeriodUsage); got != 1+15 {
		t.Errorf("%d period counters after the rollback, want %d", got, 1+15)
	}
	// pruning again finds nothing
	if n, err := st.PrunePeriods(day.End.Add(time.Second)); n != 0 || err != nil {
		t.Errorf("second pruning: %d %v", n, err)
	}
}

func countBucket(t *testing.T, st *Store, name []byte) int {
	t.Helper()
	n := 0
	st.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(name).Stats().KeyN
		return nil
	})
	return n
}

// outcomes evaluates and redeems at now without touching the clock.
func outcomes(t *testing.T, eng *policies.Engine, customer, now string) (evaluated, redeemed string) {
	t.Helper()
	ctx := context.Background()
	ev, err := eng.Evaluate(ctx, periodRequest(t, eng, customer, now))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := eng.Redeem(ctx, &policies.RedeemRequest{Request: periodRequest(t, eng, customer, now), OrderID: "o", IdempotencyKey: customer + now, Hash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	return outcome(ev), outcome(rc.Decision)
}

// The checkout is trusted for context.now: a checkout (or a test) whose
// requests are weeks behind the sidecar's clock counts in its own periods,
// which are kept while it does; periods
// are forgotten a day after the latest request time committed, and a
// redeem in one of those is refused (evaluate, which judges by no clock,
// prices it).
func TestPeriodsFollowTheCheckoutsClock(t *testing.T) {
	eng, st := periodEngine(t)
	clock.Store(time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC).UnixNano()) // weeks ahead of the requests
	day := "2026-10-25T12:00:00+01:00"
	for _, tc := range []struct{ customer, want string }{{"a", "applied"}, {"b", "applied"}, {"c", `limit_exhausted ["daily limit"]`}} {
		if ev, rd := outcomes(t, eng, tc.customer, day); ev != tc.want || (rd != tc.want && tc.want == "applied") {
			t.Errorf("%s on the 25th: evaluate %s, redeem %s, want %s", tc.customer, ev, rd, tc.want)
		}
	}
	if n, err := st.PrunePeriods(st.PeriodCutoff()); n != 0 || err != nil {
		t.Fatalf("pruning with the checkout a month behind: %d %v", n, err)
	}
	if ev, _ := outcomes(t, eng, "d", "2026-10-25T22:00:00+01:00"); ev != `limit_exhausted ["daily limit"]` {
		t.Errorf("the 25th after pruning: %s", ev)
	}
	// the checkout moves on three days: the 25th is forgotten, and refused
	if ev, rd := outcomes(t, eng, "e", "2026-10-28T12:00:00+01:00"); ev != "applied" || rd != "applied" {
		t.Fatalf("the 28th: %s %s", ev, rd)
	}
	if n, err := st.PrunePeriods(st.PeriodCutoff()); n == 0 || err != nil {
		t.Fatalf("pruning after the checkout moved on: %d %v", n, err)
	}
	ev, rd := outcomes(t, eng, "f", day)
	if ev != "applied" || rd != `limit_exhausted ["the limit ran out while redeeming"]` {
		t.Errorf("the 25th, forgotten: evaluate %s, redeem %s", ev, rd)
	}
}

// A reservation holds its period's use like any other (it is taken in
// the same take as a redemption's) and a release gives it back to that
// period.
func TestHoldTakesPeriodUse(t *testing.T) {
	st := openAt(t, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	p := policies.PeriodAt(policies.Day, time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC), time.UTC)
	c := policies.RedeemedCampaign{Campaign: "d", Amount: 100, Period: p.Key(),
		Limits: policies.Limits{PerPeriod: policies.PeriodLimits{Kind: policies.Day, Redemptions: 1, Budget: 100}}}
	if _, _, ex, err := st.Commit(ctx, hold("rs_1", "h1", "u", time.Hour, c)); err != nil || ex != nil {
		t.Fatal(ex, err)
	}
	if u, _ := st.UsedIn(ctx, "d", p.Key(), "u"); u.PeriodRedemptions != 1 || u.PeriodSpent != 100 || u.PeriodCustomer != 1 {
		t.Fatalf("the day while held: %+v", u)
	}
	if _, _, ex, err := st.Commit(ctx, redemption("r1", "k1", "v", c)); err != nil || ex["d"] != policies.LimitExhausted {
		t.Fatalf("a redemption while the day's one use is held: %v %v", ex, err)
	}
	if _, err := st.Release(ctx, "rs_1", time.Now(), policies.Released); err != nil {
		t.Fatal(err)
	}
	if u, _ := st.UsedIn(ctx, "d", p.Key(), "u"); u.PeriodRedemptions != 0 || u.PeriodSpent != 0 || u.PeriodCustomer != 0 {
		t.Fatalf("the day after the release: %+v", u)
	}
	if _, _, ex, err := st.Commit(ctx, redemption("r2", "k2", "v", c)); err != nil || ex != nil {
		t.Fatalf("a redemption after the release: %v %v", ex, err)
	}
}
