package examples_test

import (
	"context"
	"testing"

	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/pricetest"
)

// TestPriceTests runs the default bundle's price tests (the *_test.yaml
// beside each campaign) as `promoctl test examples/default` does, so that
// make test runs them.
func TestPriceTests(t *testing.T) {
	rev, err := bundle.LoadPath(context.Background(), "default")
	if err != nil {
		t.Fatal(err)
	}
	paths, err := pricetest.Find("default")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no price tests: %v", err)
	}
	var files []*pricetest.File
	for _, p := range paths {
		f, err := pricetest.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	tested := map[string]bool{}
	for _, r := range pricetest.Run(context.Background(), rev, files, nil) {
		if !r.Passed() {
			t.Error(r)
		}
	}
	for _, f := range files {
		for _, c := range f.Cases {
			for _, id := range c.Want.Campaigns() {
				tested[id] = true
			}
		}
	}
	for _, c := range rev.Campaigns() {
		if !tested[c.ID] {
			t.Errorf("campaign %s: no price test names it", c.ID)
		}
	}
}
