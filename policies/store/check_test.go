package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// TestCheckFindsAFlippedCounter: a store's counters match its ledger
// after redemptions with customers, codes and points and a rollback; a
// flipped counter of each kind is then reported, naming it.
func TestCheckFindsAFlippedCounter(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	var codes []string
	if err := s.Generate(ctx, "c", policies.CodeSpec{Count: 5, Pattern: "C-####"}, func(b []string) error {
		codes = append(codes, b...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		id := fmt.Sprint("r", i)
		c := policies.RedeemedCampaign{Campaign: "c", Code: codes[i], UniqueCode: true, Amount: 100, Points: 7, Limits: policies.Limits{Redemptions: 5}}
		if _, _, ex, err := s.Commit(ctx, redemption(id, "k"+id, fmt.Sprint("u", i%2), c)); err != nil || ex != nil {
			t.Fatal(ex, err)
		}
	}
	if _, err := s.Rollback(ctx, "r1", time.Now()); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Check(ctx)
	if err != nil || len(rep.Mismatches) != 0 || rep.Redemptions != 5 {
		t.Fatalf("a sound store: %+v %v", rep, err)
	}
	// One flipped byte of each kind of counter.
	flip := func(bucket []byte, key string, off int) {
		_ = s.db.Update(func(tx *bolt.Tx) error {
			v := append([]byte(nil), tx.Bucket(bucket).Get([]byte(key))...)
			v[len(v)-1-off] ^= 1
			return tx.Bucket(bucket).Put([]byte(key), v)
		})
	}
	flip(bUsage, "c", 8)                   // redemptions: 4 -> 5, a sixth of five
	flip(bWSum, string(wprefix("u0")), 24) // a wallet's points (the last byte of remaining)
	flip(bCustomers, "c\x00u1", 0)         // per customer
	rep, err = s.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, m := range rep.Mismatches {
		got[m.What] = true
		t.Log(m)
	}
	for _, want := range []string{"usage.redemptions", "customer.redemptions", "wallet.points"} {
		if !got[want] {
			t.Errorf("%s not reported: %v", want, rep.Mismatches)
		}
	}
	// A code's uses.
	_ = s.db.Update(func(tx *bolt.Tx) error {
		c, _ := getCode(tx, codes[0])
		c.Uses++
		return putCode(tx, c)
	})
	if rep, _ = s.Check(ctx); len(rep.Mismatches) != 4 {
		t.Fatalf("after a code's uses changed: %v", rep.Mismatches)
	}
}
