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

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// oldFile rewrites the closed file at path as an older binary left it:
// fn (nil: nothing) changes it, and its schema becomes schema.
func oldFile(t *testing.T, path string, schema uint64, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		if fn != nil {
			if err := fn(tx); err != nil {
				return err
			}
		}
		return tx.Bucket(bMeta).Put([]byte("schema"), u64(schema))
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s := open(t, path)
	s.Close()
	oldFile(t, path, SchemaVersion+1, nil)
	if _, err := Open(Config{Path: path}); !errors.Is(err, ErrSchema) {
		t.Fatalf("newer schema: %v", err)
	}
	// An older file is migrated step by step.
	oldFile(t, path, 0, nil)
	ran := false
	migrations[0] = func(*bolt.Tx) error { ran = true; return nil }
	defer delete(migrations, 0)
	s2 := open(t, path)
	s2.db.View(func(tx *bolt.Tx) error {
		if v := getU64(tx.Bucket(bMeta).Get([]byte("schema"))); v != SchemaVersion || !ran {
			t.Errorf("schema %d after migration, migration ran: %v", v, ran)
		}
		return nil
	})
}

func redemption(id, key, customer string, camps ...policies.RedeemedCampaign) *policies.Redemption {
	return &policies.Redemption{ID: id, IdempotencyKey: key, RequestHash: "h-" + key, CustomerID: customer,
		OrderID: "o-" + id, CreatedAt: time.Now(), Campaigns: camps, Response: []byte(`{"redemption_id":"` + id + `"}`)}
}

func TestCommitAllOrNone(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	a := policies.RedeemedCampaign{Campaign: "a", Amount: 10, Limits: policies.Limits{Redemptions: 5}}
	b := policies.RedeemedCampaign{Campaign: "b", Amount: 10, Limits: policies.Limits{Redemptions: 1}}
	if _, _, ex, err := s.Commit(ctx, redemption("r1", "k1", "u", a, b)); err != nil || ex != nil {
		t.Fatal(ex, err)
	}
	// b is used up: nothing of r2 is taken, a included.
	_, _, ex, err := s.Commit(ctx, redemption("r2", "k2", "u", a, b))
	if err != nil || ex["b"] != policies.LimitExhausted || len(ex) != 1 {
		t.Fatalf("exhausted %v %v", ex, err)
	}
	if u, _ := s.Used(ctx, "a", "u"); u.Redemptions != 1 || u.Spent != 10 || u.Customer != 1 {
		t.Fatalf("a after refused commit: %+v", u)
	}
	if _, err := s.Redemption(ctx, "r2"); !errors.Is(err, policies.ErrUnknownRedemption) {
		t.Fatalf("refused redemption stored: %v", err)
	}
	// Same key, same hash: the stored redemption; another hash: conflict.
	stored, replayed, _, err := s.Commit(ctx, redemption("r9", "k1", "u", a))
	if err != nil || !replayed || stored.ID != "r1" {
		t.Fatalf("replay: %+v %v %v", stored, replayed, err)
	}
	other := redemption("r9", "k1", "u", a)
	other.RequestHash = "different"
	if _, _, _, err := s.Commit(ctx, other); !errors.Is(err, policies.ErrIdempotencyConflict) {
		t.Fatalf("conflict: %v", err)
	}
}

func TestCloseWaitsForQueuedCommits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 50)
	for i := range 50 {
		go func() {
			_, _, _, err := s.Commit(context.Background(), redemption(string(rune('A'+i)), string(rune('a'+i)), "u"))
			done <- err
		}()
	}
	acked := 0
	for range 50 {
		if err := <-done; err == nil {
			acked++
		} else if !errors.Is(err, ErrClosed) {
			t.Fatal(err)
		}
		if acked == 10 {
			s.Close()
		}
	}
	s2 := open(t, path)
	n := 0
	s2.Redemptions(context.Background(), policies.LedgerQuery{}, func(*policies.Redemption) error { n++; return nil })
	if n < acked {
		t.Fatalf("%d acknowledged, %d stored", acked, n)
	}
}

func TestGenerateCodesUniqueAndBounded(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	seen := map[string]bool{}
	emit := func(b []string) error {
		for _, c := range b {
			if seen[c] {
				t.Fatalf("duplicate %s", c)
			}
			seen[c] = true
		}
		return nil
	}
	// 2 digits = 100 codes: 50 fit, a 51st would fill over half.
	sp := policies.CodeSpec{Count: 30, Pattern: "##", Prefix: "P"}
	if err := s.Generate(ctx, "c", sp, emit); err != nil {
		t.Fatal(err)
	}
	sp.Count = 20
	if err := s.Generate(ctx, "c", sp, emit); err != nil {
		t.Fatal(err)
	}
	sp.Count = 1
	if err := s.Generate(ctx, "c", sp, emit); !errors.Is(err, policies.ErrPatternTooSmall) {
		t.Fatalf("51st code: %v", err)
	}
	if len(seen) != 50 {
		t.Fatalf("%d codes", len(seen))
	}
	for _, bad := range []policies.CodeSpec{{Count: 1, Pattern: "a#"}, {Count: 1, Pattern: "##", Prefix: "#"}, {Count: 1, Pattern: "# #"}, {Count: policies.MaxCodesPerCall + 1, Pattern: "##########"}} {
		if err := s.Generate(ctx, "c", bad, emit); !errors.Is(err, policies.ErrBadPattern) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
