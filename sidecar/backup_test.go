package sidecar_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// TestBackupIsAStoreFile downloads GET /v1/backup from a serving sidecar
// after a redemption: the copy opens as a store, holds it, and checks
// clean.
func TestBackupIsAStoreFile(t *testing.T) {
	stack := sidecartest.ExampleStack(t, "backup-1", nil)
	s := sidecartest.StartDeps(t, stack.Deps, "tok")
	if status, out := s.Do(t, "POST", "/v1/redemptions", redeemCart("o-1", "k-1", "u-1")); status != 200 {
		t.Fatalf("redeem: %d %s", status, out)
	}
	if status, _ := s.Do(t, "GET", "/v1/backup", nil); status != 401 {
		t.Fatalf("backup without the admin token: %d", status)
	}
	req, _ := http.NewRequest("GET", "http://sidecar/v1/backup", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	path := filepath.Join(t.TempDir(), "promoedge.db")
	f, _ := os.Create(path)
	if _, err := f.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	f.Close()
	st, err := store.Open(store.Config{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep, err := st.Check(context.Background())
	if err != nil || rep.Redemptions != 1 || len(rep.Mismatches) != 0 {
		t.Fatalf("the copy: %+v %v", rep, err)
	}
}
