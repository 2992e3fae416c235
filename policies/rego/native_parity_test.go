package rego_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/promoedge/promoedge/examples"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

// TestNativeAnswersAsRego prices the requests of TestOPAWasmAnswersAsRego
// with the when: campaigns of each bundle decided natively (as the loader
// wires them) and by OPA on their generated Rego, and wants the same
// decisions: the example bundles' side of policies/when's differential
// test.
func TestNativeAnswersAsRego(t *testing.T) {
	t.Run("examples/default", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.CopyFS(dir, examples.Default()); err != nil {
			t.Fatal(err)
		}
		compareNative(t, dir, defaultRequests(200), true)
	})
	files, _ := filepath.Glob("../testdata/cases/*.yaml")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if dir, reqs := caseBundle(t, f); len(reqs) > 0 {
				compareNative(t, dir, reqs, false)
			}
		})
	}
}

// compareNative loads dir and prices reqs natively and with its rules all
// in OPA (Config.WhenInRego); must says the bundle has when: campaigns.
func compareNative(t *testing.T, dir string, reqs [][]byte, must bool) {
	t.Helper()
	rev, err := bundle.LoadPath(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	router, ok := rev.Rules().(*policies.Router)
	if !ok || router.Backend(bundle.BackendWhen) == nil {
		if must {
			t.Fatal("no campaign is decided natively")
		}
		return
	}
	opaRev, err := bundle.LoadPathWith(context.Background(), bundle.Config{Source: dir, WhenInRego: true}, dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for i, body := range reqs {
		if w, g := marshal(decide(t, opaRev, body, now)), marshal(decide(t, rev, body, now)); w != g {
			t.Errorf("request %d %s:\nOPA:    %s\nnative: %s", i, body, w, g)
		}
	}
}
