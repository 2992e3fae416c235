package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// TestWalletChanges: a fleet's file lists each wallet a transaction
// changed, once however often, durably across a reopen, and hands each
// out once; a lone sidecar's file lists none.
func TestWalletChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.db")
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	adjust := func(s *Store, customer, key string, points int64) {
		t.Helper()
		if _, err := s.Adjust(context.Background(), &policies.Adjustment{Customer: customer, Points: points, Reason: "t", IdempotencyKey: key, At: at, Terms: policies.LotTerms{Active: at}}); err != nil {
			t.Fatal(err)
		}
	}
	lone := open(t, filepath.Join(t.TempDir(), "lone.db"))
	adjust(lone, "a", "k0", 10)
	if got, err := lone.TakeWalletChanges(10); err != nil || len(got) != 0 {
		t.Fatalf("a lone store listed %v, %v", got, err)
	}
	cfg := DefaultConfig(filepath.Dir(path))
	cfg.Path, cfg.WalletChanges = path, true
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	adjust(s, "a", "k1", 10)
	adjust(s, "b", "k2", 10)
	adjust(s, "a", "k3", -5)
	s.Close()
	if s, err = Open(cfg); err != nil { // the list is in the file
		t.Fatal(err)
	}
	defer s.Close()
	first, err := s.TakeWalletChanges(1)
	if err != nil || len(first) != 1 {
		t.Fatalf("first take: %v, %v", first, err)
	}
	rest, err := s.TakeWalletChanges(10)
	if got := slices.Sorted(slices.Values(append(first, rest...))); err != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("changed wallets %v, %v; want a and b once each", got, err)
	}
	if again, _ := s.TakeWalletChanges(10); len(again) != 0 {
		t.Fatalf("handed out twice: %v", again)
	}
}
