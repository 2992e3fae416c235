package sidecar_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/store"
)

// storeEngine is an engine serving the bundle made of files, over a real
// bbolt store in a temporary directory (closed when tb ends); wire adds
// what the test needs to the engine's configuration beyond usage, codes
// and the committer.
func storeEngine(tb testing.TB, files map[string]string, wire func(*policies.Config, *store.Store)) (*policies.Engine, *store.Store) {
	tb.Helper()
	dir := tb.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, "bundle", filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	rev, err := bundle.LoadPath(context.Background(), filepath.Join(dir, "bundle"))
	if err != nil {
		tb.Fatal(err)
	}
	st, err := store.Open(store.DefaultConfig(filepath.Join(dir, "data")))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	cfg := policies.Config{Usage: st, Codes: st, Committer: st}
	if wire != nil {
		wire(&cfg, st)
	}
	e := policies.NewEngine(cfg)
	e.Swap(rev)
	return e, st
}
