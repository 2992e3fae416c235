package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

var (
	t0   = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	days = func(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
	year = days(365)
)

func walletOf(t *testing.T, s *Store, customer string, at time.Time) policies.Balances {
	t.Helper()
	b, err := s.Balances(context.Background(), customer, at, year)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ledger(t *testing.T, s *Store, customer string) []*policies.WalletTx {
	t.Helper()
	var out []*policies.WalletTx
	if err := s.Transactions(context.Background(), customer, func(wt *policies.WalletTx) error { out = append(out, wt); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func earning(id, key, customer string, at time.Time, terms *policies.LotTerms, points int64) *policies.Redemption {
	r := redemption(id, key, customer, policies.RedeemedCampaign{Campaign: "pts", Points: points})
	r.CreatedAt, r.PointsTerms = at, terms
	return r
}

func adjustBy(t *testing.T, s *Store, customer string, points int64, at time.Time, expiry time.Time) {
	t.Helper()
	_, err := s.Adjust(context.Background(), &policies.Adjustment{Customer: customer, Points: points, Reason: "test",
		IdempotencyKey: customer + at.String() + expiry.String(), At: at, Terms: policies.LotTerms{Active: at, Expiry: expiry}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPointsCreditedOnceAndTakenBack: a redemption that earns points
// credits one pending lot once (its replay does not), which becomes
// spendable at its active time; its rollback takes it back once, however
// often it is asked, leaving every movement in the ledger.
func TestPointsCreditedOnceAndTakenBack(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	terms := &policies.LotTerms{Active: t0.Add(days(14)), Expiry: t0.Add(days(14) + year)}
	for range 2 { // the second is a replay
		if _, _, ex, err := s.Commit(ctx, earning("r1", "k1", "u1", t0, terms, 7)); err != nil || ex != nil {
			t.Fatal(ex, err)
		}
	}
	if b := walletOf(t, s, "u1", t0); b.Balance != 0 || b.Pending != 7 || b.Earned != 7 {
		t.Fatalf("at once: %+v", b)
	}
	if b := walletOf(t, s, "u1", t0.Add(days(14))); b.Balance != 7 || b.Pending != 0 || len(b.Expiring) != 1 || !b.Expiring[0].At.Equal(terms.Expiry) {
		t.Fatalf("two weeks later: %+v", b)
	}
	if b := walletOf(t, s, "u1", terms.Expiry); b.Balance != 0 {
		t.Fatalf("at expiry: %+v", b)
	}
	for i := range 2 {
		if _, err := s.Rollback(ctx, "r1", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if b := walletOf(t, s, "u1", t0.Add(days(20))); b.Balance != 0 || b.Pending != 0 || b.Earned != 0 {
			t.Fatalf("after rollback %d: %+v", i, b)
		}
	}
	lg := ledger(t, s, "u1")
	if len(lg) != 2 || lg[0].Kind != policies.TxEarn || lg[0].Points != 7 || lg[1].Kind != policies.TxRollback || lg[1].Points != -7 {
		t.Fatalf("ledger %+v %+v", lg[0], lg)
	}
	if b := walletOf(t, s, "u2", t0); b.Balance != 0 || len(ledger(t, s, "u2")) != 0 {
		t.Fatalf("another customer: %+v", b)
	}
}

// TestSpendTakesLotsExpiringFirst: a reward takes from the lot that
// expires first, never-expiring lots last, skipping pending ones; the
// ledger records expiries with the balance after each entry.
func TestSpendTakesLotsExpiringFirst(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	adjustBy(t, s, "u", 100, t0, time.Time{})     // never expires
	adjustBy(t, s, "u", 50, t0, t0.Add(days(30))) // expires first
	adjustBy(t, s, "u", 70, t0, t0.Add(days(60))) // then this
	if _, _, ex, err := s.Commit(ctx, earning("rp", "kp", "u", t0, &policies.LotTerms{Active: t0.Add(days(90))}, 500)); err != nil || ex != nil {
		t.Fatal(ex, err) // pending: not spendable before day 90
	}
	r := redemption("r1", "k1", "u")
	r.CreatedAt, r.Rewards = t0.Add(days(1)), []policies.RedeemedReward{{Reward: "five-off", Points: 80}}
	if _, _, ex, err := s.Commit(ctx, r); err != nil || ex != nil {
		t.Fatal(ex, err)
	}
	b := walletOf(t, s, "u", t0.Add(days(1)))
	if b.Balance != 140 || b.Pending != 500 || len(b.Expiring) != 1 || b.Expiring[0].Points != 40 {
		t.Fatalf("after spending 80: %+v (the 50 lot should be gone, 30 taken of the 70)", b)
	}
	adjustBy(t, s, "u", 1, t0.Add(days(61)), time.Time{}) // a write after day 60 sweeps the 70 lot's 40
	lg := ledger(t, s, "u")
	last := lg[len(lg)-2]
	if last.Kind != policies.TxExpire || last.Points != -40 || !last.At.Equal(t0.Add(days(60))) || last.Balance != 100 {
		t.Fatalf("expiry entry %+v", last)
	}
	if b := walletOf(t, s, "u", t0.Add(days(91))); b.Balance != 601 {
		t.Fatalf("day 91: %+v", b)
	}
}

// TestRewardsNeedPointsAndStock: a reward the balance or the stock cannot
// pay for is returned exhausted and nothing of the redemption is written;
// a rollback gives the points and the stock back, once.
func TestRewardsNeedPointsAndStock(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	adjustBy(t, s, "u", 1000, t0, time.Time{})
	c := policies.RedeemedCampaign{Campaign: "c", Amount: 10, Limits: policies.Limits{Redemptions: 5}}
	r := redemption("r1", "k1", "u", c)
	r.CreatedAt = t0
	r.Rewards = []policies.RedeemedReward{{Reward: "a", Points: 600}, {Reward: "b", Points: 600}, {Reward: "s", Points: 1, Stock: 1}}
	_, _, ex, err := s.Commit(ctx, r)
	if err != nil || ex[policies.RewardKey("b")] != policies.InsufficientPoints || len(ex) != 1 {
		t.Fatalf("exhausted %v %v", ex, err)
	}
	if walletOf(t, s, "u", t0).Balance != 1000 || readUsageOf(t, s, "c") != 0 {
		t.Fatal("a refused redemption wrote something")
	}
	r.Rewards = []policies.RedeemedReward{{Reward: "a", Points: 600}, {Reward: "s", Points: 1, Stock: 1}}
	if _, _, ex, err := s.Commit(ctx, r); err != nil || ex != nil {
		t.Fatal(ex, err)
	}
	r2 := redemption("r2", "k2", "u")
	r2.CreatedAt, r2.Rewards = t0, []policies.RedeemedReward{{Reward: "s", Points: 1, Stock: 1}}
	if _, _, ex, _ := s.Commit(ctx, r2); ex[policies.RewardKey("s")] != policies.OutOfStock {
		t.Fatalf("stock: %v", ex)
	}
	for range 2 {
		if _, err := s.Rollback(ctx, "r1", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if b := walletOf(t, s, "u", t0.Add(time.Hour)); b.Balance != 1000 {
		t.Fatalf("after rollback: %+v", b)
	}
	if _, _, ex, err := s.Commit(ctx, r2); err != nil || ex != nil {
		t.Fatalf("stock given back: %v %v", ex, err)
	}
}

// TestRollbackOfSpentPointsLeavesDebt: points taken back after they were
// spent become debt; the balance goes below zero, nothing can be spent,
// and the next credit pays the debt first.
func TestRollbackOfSpentPointsLeavesDebt(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	if _, _, _, err := s.Commit(ctx, earning("r1", "k1", "u", t0, nil, 300)); err != nil {
		t.Fatal(err)
	}
	spendR := redemption("r2", "k2", "u")
	spendR.CreatedAt, spendR.Rewards = t0, []policies.RedeemedReward{{Reward: "a", Points: 200}}
	if _, _, ex, err := s.Commit(ctx, spendR); err != nil || ex != nil {
		t.Fatal(ex, err)
	}
	if _, err := s.Rollback(ctx, "r1", t0); err != nil {
		t.Fatal(err)
	}
	if b := walletOf(t, s, "u", t0); b.Balance != -200 {
		t.Fatalf("debt: %+v", b)
	}
	_, err := s.Adjust(ctx, &policies.Adjustment{Customer: "u", Points: -1, IdempotencyKey: "d", At: t0})
	if !errors.Is(err, policies.ErrInsufficientPoints) {
		t.Fatalf("spend in debt: %v", err)
	}
	adjustBy(t, s, "u", 250, t0, time.Time{})
	if b := walletOf(t, s, "u", t0); b.Balance != 50 {
		t.Fatalf("after a credit: %+v", b)
	}
	if _, err := s.Rollback(ctx, "r2", t0); err != nil {
		t.Fatal(err)
	}
	if b := walletOf(t, s, "u", t0); b.Balance != 250 {
		t.Fatalf("spend rolled back: %+v", b)
	}
}

// TestAdjustIsIdempotentAndRefusesBadInput: the same key answers the same
// entry; another body under it, zero, absurd or overdrawing points are
// refused with nothing written.
func TestAdjustIsIdempotentAndRefusesBadInput(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	a := &policies.Adjustment{Customer: "u", Points: 40, Reason: "goodwill", IdempotencyKey: "k", At: t0, Terms: policies.LotTerms{Active: t0}}
	first, err := s.Adjust(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Adjust(ctx, a)
	if err != nil || again.ID != first.ID || again.Balance != 40 {
		t.Fatalf("replay %+v %v", again, err)
	}
	other := *a
	other.Points = 41
	if _, err := s.Adjust(ctx, &other); !errors.Is(err, policies.ErrIdempotencyConflict) {
		t.Fatalf("other body: %v", err)
	}
	for _, p := range []int64{0, policies.MaxPoints + 1, -policies.MaxPoints - 1, -41} {
		bad := *a
		bad.Points, bad.IdempotencyKey = p, "bad"
		if _, err := s.Adjust(ctx, &bad); err == nil {
			t.Fatalf("points %d accepted", p)
		}
	}
	if lg := ledger(t, s, "u"); len(lg) != 1 || walletOf(t, s, "u", t0).Balance != 40 {
		t.Fatalf("bad input wrote: %+v", lg)
	}
}

func readUsageOf(t *testing.T, s *Store, campaign string) int64 {
	t.Helper()
	var n int64
	s.db.View(func(tx *bolt.Tx) error { n = readUsage(tx, campaign, "").Redemptions; return nil })
	return n
}
