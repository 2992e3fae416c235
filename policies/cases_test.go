package policies_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	_ "time/tzdata" // campaign time zones must not depend on the host's zoneinfo

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/pricetest"
)

var update = flag.Bool("update", false, "rewrite the golden decisions in testdata/golden")

var caseName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// TestPricingCases runs testdata/cases/*.yaml with pricetest, the runner
// of `promoctl test`. Each file is a pricetest file that carries its own
// bundle and is exhaustive:
//
//	exhaustive: true
//	bundle:
//	  campaigns: {<id>: <campaign document>}    # promo/campaigns/<id>/data.json
//	  rules: {<rule>: <Rego module text>}       # promo/rules/<rule>.rego
//	cases:
//	  - name: <slug>
//	    cart: ...; context: ...                 # the request; context.now is required
//	    usage: {<campaign>: {redemptions, customer, spent}}
//	    want: {discount, shipping_discount, total, applied, rejected, ...}
//
// The bundle is written to a temporary directory and loaded with
// bundle.LoadPath, so the rules run in real OPA. Every decision must also
// keep the invariants and match testdata/golden/<file>/<case>.json; go
// test -update rewrites those.
func TestPricingCases(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) { runCaseFile(t, file, name) })
	}
}

// loadCaseFile reads a case file and loads its bundle with OPA.
func loadCaseFile(t *testing.T, file, name string) (*pricetest.File, *policies.Revision) {
	t.Helper()
	f, err := pricetest.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Exhaustive || f.Bundle == nil {
		t.Fatalf("%s: a case file is exhaustive and carries its bundle", file)
	}
	dir := t.TempDir()
	if err := f.Bundle.WriteDir(dir, "cases-"+name); err != nil {
		t.Fatal(err)
	}
	rev, err := bundle.LoadPath(context.Background(), dir)
	if err != nil {
		t.Fatalf("loading the bundle of %s: %v", file, err)
	}
	return f, rev
}

func runCaseFile(t *testing.T, file, name string) {
	f, rev := loadCaseFile(t, file, name)
	for _, c := range f.Cases {
		if !caseName.MatchString(c.Name) {
			t.Fatalf("%s: case name %q must be a lower-case slug", file, c.Name)
		}
	}
	for _, r := range pricetest.Run(context.Background(), rev, []*pricetest.File{f}, nil) {
		t.Run(r.Name, func(t *testing.T) {
			if !r.Passed() {
				t.Error(r)
			}
			if r.Decision == nil {
				return
			}
			checkInvariants(t, r.Decision)
			checkGolden(t, filepath.Join("testdata", "golden", name, r.Name+".json"), r.Decision)
		})
	}
}

// TestPricingCasesConcurrently prices every case of a file at once on one
// revision: the decisions must be those of the sequential run (and -race
// must find nothing in the shared revision and rule evaluator).
func TestPricingCasesConcurrently(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "cases", "*.yaml"))
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			f, rev := loadCaseFile(t, file, name)
			price := func(i int) ([]byte, error) {
				dec, err := pricetest.Price(context.Background(), rev, f, &f.Cases[i%len(f.Cases)])
				if err != nil {
					return nil, err
				}
				return json.Marshal(dec)
			}
			want := make([][]byte, len(f.Cases))
			for i := range f.Cases {
				var err error
				if want[i], err = price(i); err != nil {
					t.Fatal(err)
				}
			}
			const rounds = 4
			got := make([][]byte, rounds*len(f.Cases))
			var wg sync.WaitGroup
			for i := range got {
				wg.Go(func() {
					var err error
					if got[i], err = price(i); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
			for i := range got {
				if !bytes.Equal(got[i], want[i%len(f.Cases)]) {
					t.Errorf("case %s priced concurrently:\n got: %s\nwant: %s", f.Cases[i%len(f.Cases)].Name, got[i], want[i%len(f.Cases)])
				}
			}
		})
	}
}

// checkInvariants asserts what holds for every decision (docs/api.md#money, docs/api.md#answers).
func checkInvariants(t *testing.T, d *policies.Decision) {
	t.Helper()
	if d.Total != d.Subtotal+d.Shipping-d.Discount-d.ShippingDiscount {
		t.Errorf("total %d != subtotal %d + shipping %d - discount %d - shipping_discount %d",
			d.Total, d.Subtotal, d.Shipping, d.Discount, d.ShippingDiscount)
	}
	if d.Total < 0 || d.Shipping-d.ShippingDiscount < 0 || d.Discount < 0 || d.ShippingDiscount < 0 {
		t.Errorf("negative amount: total %d, shipping %d - %d, discount %d", d.Total, d.Shipping, d.ShippingDiscount, d.Discount)
	}
	perLine := map[string]int64{}
	var applied int64
	for _, a := range d.Applied {
		applied += a.Amount
		if a.Amount < 0 || a.ReducedFrom != 0 && a.ReducedFrom <= a.Amount {
			t.Errorf("applied %s %s: amount %d, reduced_from %d", a.Campaign, a.Effect, a.Amount, a.ReducedFrom)
		}
		var lines int64
		for _, l := range a.Lines {
			lines += l.Amount
			perLine[l.ID] += l.Amount
		}
		if a.Effect != policies.FreeShipping && lines != a.Amount {
			t.Errorf("applied %s %s: lines sum to %d, amount is %d", a.Campaign, a.Effect, lines, a.Amount)
		}
	}
	if applied != d.Discount+d.ShippingDiscount {
		t.Errorf("applied amounts sum to %d, discount + shipping_discount is %d", applied, d.Discount+d.ShippingDiscount)
	}
	var subtotal, discount int64
	for _, it := range d.Items {
		subtotal += it.Subtotal
		discount += it.Discount
		if it.Total < 0 || it.Total != it.Subtotal-it.Discount || it.Discount != perLine[it.ID] {
			t.Errorf("item %s: %+v, applied lines give it %d", it.ID, it, perLine[it.ID])
		}
	}
	if subtotal != d.Subtotal || discount != d.Discount {
		t.Errorf("items sum to subtotal %d, discount %d; decision says %d, %d", subtotal, discount, d.Subtotal, d.Discount)
	}
}

// checkGolden compares the whole decision with its golden file, or writes
// it with -update (as go/printer's golden tests do).
func checkGolden(t *testing.T, path string, d *policies.Decision) {
	t.Helper()
	got, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("decision differs from %s (run go test -update if the change is intended):\n got: %s\nwant: %s", path, got, want)
	}
}
