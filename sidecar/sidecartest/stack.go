package sidecartest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/activation"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar"
)

// Stack is what a lone `promoedge serve` wires behind its HTTP API: a bbolt
// store in a temporary directory, the kill switch on it, and a bundle
// activator whose active bundle came in as a tarball.
type Stack struct {
	Deps    sidecar.Deps
	Store   *store.Store
	Bundles *activation.Activator
}

// ExampleStack opens a stack in t.TempDir() and activates the example
// bundle with extra files added (path in the bundle -> content; nil for
// none) under revision ("" keeps the manifest's). Everything closes when
// the test ends.
func ExampleStack(t testing.TB, revision string, extra map[string]string) *Stack {
	t.Helper()
	dir := t.TempDir()
	st, err := store.Open(store.DefaultConfig(filepath.Join(dir, "data")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sw, err := policies.OpenSwitchboard(st, "local", nil)
	if err != nil {
		t.Fatal(err)
	}
	e := policies.NewEngine(policies.Config{Usage: st, Codes: st, Committer: st, Switches: sw, Wallets: st, Events: st})
	act := activation.New(activation.Config{Dir: filepath.Join(dir, "bundles")}, e)
	t.Cleanup(act.Close) // a shadow bundle's worker, before the store closes
	if _, err := act.Tarball(context.Background(), "example tarball", ExampleTarballWith(t, revision, extra)); err != nil {
		t.Fatalf("activating the example bundle: %v", err)
	}
	return &Stack{
		Deps:    sidecar.Deps{Engine: e, State: st, Bundles: act, Switches: sw, Audit: st, Stats: st},
		Store:   st,
		Bundles: act,
	}
}
