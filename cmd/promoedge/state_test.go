package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// redeemInto commits n redemptions of campaign c (limit 5) to st.
func redeemInto(t *testing.T, st *store.Store, n int) {
	t.Helper()
	for i := range n {
		id := fmt.Sprint("r", i)
		r := &policies.Redemption{ID: id, IdempotencyKey: id, RequestHash: "h", CustomerID: "u", OrderID: "o" + id, CreatedAt: time.Now(),
			Campaigns: []policies.RedeemedCampaign{{Campaign: "c", Amount: 100, Limits: policies.Limits{Redemptions: 5}}}, Response: []byte(`{}`)}
		if _, _, ex, err := st.Commit(context.Background(), r); err != nil || ex != nil {
			t.Fatal(ex, err)
		}
	}
}

func runOut(args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), args, func(string) string { return "" }, &out, io.Discard)
	return out.String(), err
}

// TestCheckCommandFindsAFlippedCounter: a flipped byte in a campaign's
// redemption count (5 of a limit of 5 read as 4, so a sixth would pass)
// makes `promoedge check` exit non-zero naming the counter.
func TestCheckCommandFindsAFlippedCounter(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	st, err := store.Open(store.DefaultConfig(data))
	if err != nil {
		t.Fatal(err)
	}
	redeemInto(t, st, 5)
	st.Close()
	if out, err := runOut("check", "--data", data); err != nil || !strings.Contains(out, "0 mismatches") {
		t.Fatalf("a sound store: %v\n%s", err, out)
	}
	db, err := bolt.Open(filepath.Join(data, "promoedge.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Update(func(tx *bolt.Tx) error {
		v := append([]byte(nil), tx.Bucket([]byte("usage")).Get([]byte("c"))...)
		v[7] ^= 1 // 5 -> 4
		return tx.Bucket([]byte("usage")).Put([]byte("c"), v)
	})
	db.Close()
	out, err := runOut("check", "--data", data)
	if !errors.Is(err, errMismatch) || !strings.Contains(out, `usage.redemptions "c": counter 4, ledger 5`) {
		t.Fatalf("a flipped counter: %v\n%s", err, out)
	}
}

// TestEmptyStoreFileStopsServeAndCheck: a 0-byte promoedge.db is not a
// new store: serve and check refuse it, naming it.
func TestEmptyStoreFileStopsServeAndCheck(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	_ = os.MkdirAll(data, 0o750)
	path := filepath.Join(data, "promoedge.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"check", "--data", data}, {"serve", "--listen", "127.0.0.1:0", "--data", data}} {
		_, err := runOut(args...)
		if !errors.Is(err, store.ErrEmpty) || !strings.Contains(err.Error(), path) {
			t.Fatalf("%s: %v", args[0], err)
		}
	}
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Fatal("the empty file was written to")
	}
}

// TestBackupCommand copies a running sidecar's store (--url) and a
// stopped one's (--data); each copy checks clean and holds the
// redemptions.
func TestBackupCommand(t *testing.T) {
	stack := sidecartest.ExampleStack(t, "backup-1", nil)
	redeemInto(t, stack.Store, 3)
	_, base := sidecartest.StartTCP(t, stack.Deps, "tok")
	dir := t.TempDir()
	live := filepath.Join(dir, "live.db")
	if out, err := runOut("backup", "--url", base, "--admin-token", "tok", "--out", live); err != nil || !strings.Contains(out, "3 redemptions") {
		t.Fatalf("backup --url: %v\n%s", err, out)
	}
	if _, err := runOut("backup", "--url", base, "--admin-token", "wrong", "--out", filepath.Join(dir, "no.db")); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("a wrong token: %v", err)
	}
	if out, err := runOut("check", "--file", live); err != nil {
		t.Fatalf("check the copy: %v\n%s", err, out)
	}
	// A stopped sidecar's data: the copy of the copy.
	data := filepath.Join(dir, "data")
	_ = os.MkdirAll(data, 0o750)
	raw, _ := os.ReadFile(live)
	_ = os.WriteFile(filepath.Join(data, "promoedge.db"), raw, 0o600)
	if out, err := runOut("backup", "--data", data, "--out", filepath.Join(dir, "stopped.db")); err != nil || !strings.Contains(out, "3 redemptions") {
		t.Fatalf("backup --data: %v\n%s", err, out)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.partial*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// TestDecisionLogRotationFlags: the rotation flags reach the decision
// log's configuration, and a negative one is refused.
func TestDecisionLogRotationFlags(t *testing.T) {
	cfg, err := parseServe([]string{"--decision-log", "d.log", "--decision-log-max-bytes", "1000", "--decision-log-max-files", "2"},
		func(string) string { return "" }, io.Discard)
	if err != nil || cfg.HTTP.DecisionLog.MaxBytes != 1000 || cfg.HTTP.DecisionLog.MaxFiles != 2 {
		t.Fatalf("%+v %v", cfg.HTTP.DecisionLog, err)
	}
	if _, err := parseServe([]string{"--decision-log", "d.log", "--decision-log-max-files", "-1"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Fatal("a negative number of files accepted")
	}
	if _, err := parseServe([]string{"--decision-log-max-bytes", "10"}, func(string) string { return "" }, io.Discard); err == nil || !strings.Contains(err.Error(), "needs --decision-log") {
		t.Fatalf("rotation without a log: %v", err)
	}
}
