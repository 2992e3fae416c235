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

// TestMigrateWallets: a schema-3 file's point balances become wallets of
// one active, never-expiring lot each, with a ledger entry.
func TestMigrateWallets(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s := open(t, path)
	s.Close()
	oldFile(t, path, 3, func(tx *bolt.Tx) error { return tx.Bucket(bBalances).Put([]byte("u-1"), u64(120)) })
	s = open(t, path)
	if b := walletOf(t, s, "u-1", time.Now().Add(time.Second)); b.Balance != 120 {
		t.Fatalf("migrated wallet %+v", b)
	}
	if lg := ledger(t, s, "u-1"); len(lg) != 1 || lg[0].Source != "migrated balance" {
		t.Fatalf("ledger %+v", lg)
	}
}

// fillWallet gives customer n active lots of a million points, each expiring a
// day after the last.
func fillWallet(b *testing.B, s *Store, customer string, n int) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i := range n {
			terms := policies.LotTerms{Active: t0, Expiry: t0.Add(days(i + 1000))}
			if _, err := credit(tx, customer, 1_000_000, terms, t0, policies.TxEarn, "bench"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// fillPending gives customer one active lot that never expires, behind n
// pending lots that expire before it (what a stream of redeems crediting
// points makes of a long-lived balance).
func fillPending(b *testing.B, s *Store, customer string, n int) {
	err := s.db.Update(func(tx *bolt.Tx) error {
		if _, err := credit(tx, customer, policies.MaxPoints, policies.LotTerms{Active: t0}, t0, policies.TxAdjust, "bench"); err != nil {
			return err
		}
		for range n {
			terms := policies.LotTerms{Active: t0.Add(days(14)), Expiry: t0.Add(days(379))}
			if _, err := credit(tx, customer, 100, terms, t0, policies.TxEarn, "bench"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkWalletLots: a balance read and a spend cost the same with 10
// lots or 10,000 (the bound is 2×).
func BenchmarkWalletLots(b *testing.B) {
	for _, n := range []int{10, 10000} {
		s, err := Open(Config{Path: filepath.Join(b.TempDir(), "w.db")})
		if err != nil {
			b.Fatal(err)
		}
		fillWallet(b, s, "u", n)
		fillPending(b, s, "p", n)
		b.Run(fmt.Sprintf("read/lots=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Balances(context.Background(), "u", t0.Add(time.Hour), year); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("spend/lots=%d", n), func(b *testing.B) {
			// One transaction spends 1 point at a time: the cost of finding
			// the lot and writing it back, without the fsync.
			tx, err := s.db.Begin(true)
			if err != nil {
				b.Fatal(err)
			}
			defer tx.Rollback()
			for b.Loop() {
				if _, err := spend(tx, "u", 1, t0.Add(time.Hour), policies.TxReward, "bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("spend-behind-pending/lots=%d", n), func(b *testing.B) {
			// The same with the active lot behind n pending ones.
			tx, err := s.db.Begin(true)
			if err != nil {
				b.Fatal(err)
			}
			defer tx.Rollback()
			for b.Loop() {
				if _, err := spend(tx, "p", 1, t0.Add(time.Hour), policies.TxReward, "bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
		s.Close()
	}
}
