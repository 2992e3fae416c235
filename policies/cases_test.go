package policies_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // campaign time zones must not depend on the host's zoneinfo

	"sigs.k8s.io/yaml"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

var update = flag.Bool("update", false, "rewrite the golden decisions in testdata/golden")

// caseFile is one testdata/cases/*.yaml file: one bundle and the requests
// priced against it.
type caseFile struct {
	// Fixtures holds YAML anchors (carts, contexts) that cases refer to;
	// the test itself ignores it.
	Fixtures json.RawMessage `json:"fixtures"`
	Bundle   struct {
		// Campaigns are documents as at data.promo.campaigns.<id>.
		Campaigns map[string]json.RawMessage `json:"campaigns"`
		// Rules are Rego modules (package promo.rules.<name>) by name.
		Rules map[string]string `json:"rules"`
	} `json:"bundle"`
	Cases []pricingCase `json:"cases"`
}

type pricingCase struct {
	Name    string                `json:"name"`
	Request json.RawMessage       `json:"request"`
	Usage   map[string]usageEntry `json:"usage"`
	Want    expectation           `json:"want"`
}

type usageEntry struct {
	Redemptions int64 `json:"redemptions"`
	Customer    int64 `json:"customer"`
	Spent       int64 `json:"spent"`
}

// expectation is what a case asserts. Amounts not written are 0, lists not
// written are empty; items, subtotal and shipping are only compared when
// written. total must always be written.
type expectation struct {
	Subtotal         *int64                `json:"subtotal"`
	Shipping         *int64                `json:"shipping"`
	Discount         int64                 `json:"discount"`
	ShippingDiscount int64                 `json:"shipping_discount"`
	Total            *int64                `json:"total"`
	Applied          []wantApplied         `json:"applied"`
	Rejected         []wantRejection       `json:"rejected"`
	Points           []policies.PointAward `json:"points"`
	FreeItems        []policies.FreeItem   `json:"free_items"`
	Items            *[]policies.ItemTotal `json:"items"`
}

// wantApplied compares lines only when the case lists them.
type wantApplied struct {
	Campaign    string                 `json:"campaign"`
	Code        string                 `json:"code,omitempty"`
	Effect      policies.EffectType    `json:"effect"`
	Amount      int64                  `json:"amount"`
	ReducedFrom int64                  `json:"reduced_from,omitempty"`
	Lines       *[]policies.LineAmount `json:"lines,omitempty"`
}

// wantRejection compares details only when the case lists them.
type wantRejection struct {
	Campaign string    `json:"campaign,omitempty"`
	Code     string    `json:"code,omitempty"`
	Reason   string    `json:"reason"`
	Details  *[]string `json:"details,omitempty"`
}

// memUsage is a campaign's consumption as the case states it.
type memUsage map[string]policies.Used

func (u memUsage) Used(_ context.Context, campaign, _ string) (policies.Used, error) {
	return u[campaign], nil
}

var caseName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// TestPricingCases runs testdata/cases/*.yaml. Each file is
//
//	bundle:
//	  campaigns: {<id>: <campaign document>}    # promo/campaigns/<id>/data.json
//	  rules: {<rule>: <Rego module text>}       # promo/rules/<rule>.rego
//	cases:
//	  - name: <slug>
//	    request: <request body; context.now is required>
//	    usage: {<campaign>: {redemptions, customer, spent}}
//	    want: {discount, shipping_discount, total, applied, rejected, ...}
//
// The bundle is written to a temporary directory and loaded with
// bundle.LoadPath, so the rules run in real OPA. Every decision must also
// match testdata/golden/<file>/<case>.json; go test -update rewrites those.
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
func loadCaseFile(t *testing.T, file, name string) (*caseFile, *policies.Revision) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cf caseFile
	if err := yaml.UnmarshalStrict(raw, &cf); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	dir := t.TempDir()
	writeBundle(t, dir, "cases-"+name, cf.Bundle.Campaigns, cf.Bundle.Rules)
	rev, err := bundle.LoadPath(context.Background(), dir)
	if err != nil {
		t.Fatalf("loading the bundle of %s: %v", file, err)
	}
	return &cf, rev
}

func runCaseFile(t *testing.T, file, name string) {
	cf, rev := loadCaseFile(t, file, name)
	seen := map[string]bool{}
	for _, pc := range cf.Cases {
		if !caseName.MatchString(pc.Name) || seen[pc.Name] {
			t.Fatalf("%s: case name %q must be unique and a lower-case slug", file, pc.Name)
		}
		seen[pc.Name] = true
		t.Run(pc.Name, func(t *testing.T) {
			dec := evaluateCase(t, rev, pc)
			checkInvariants(t, dec)
			checkExpectation(t, pc.Want, dec)
			checkGolden(t, filepath.Join("testdata", "golden", name, pc.Name+".json"), dec)
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
			cf, rev := loadCaseFile(t, file, name)
			want := make([][]byte, len(cf.Cases))
			for i, pc := range cf.Cases {
				want[i], _ = json.Marshal(evaluateCase(t, rev, pc))
			}
			const rounds = 4
			got := make([][]byte, rounds*len(cf.Cases))
			var wg sync.WaitGroup
			for i := range got {
				wg.Go(func() {
					dec, err := evaluate(rev, cf.Cases[i%len(cf.Cases)])
					if err != nil {
						t.Error(err)
						return
					}
					got[i], _ = json.Marshal(dec)
				})
			}
			wg.Wait()
			for i := range got {
				if !bytes.Equal(got[i], want[i%len(cf.Cases)]) {
					t.Errorf("case %s priced concurrently:\n got: %s\nwant: %s", cf.Cases[i%len(cf.Cases)].Name, got[i], want[i%len(cf.Cases)])
				}
			}
		})
	}
}

// writeBundle lays campaigns and rules out as an OPA bundle directory.
func writeBundle(t *testing.T, dir, revision string, campaigns map[string]json.RawMessage, rules map[string]string) {
	t.Helper()
	manifest, _ := json.Marshal(map[string]any{"revision": revision, "roots": []string{"promo"}})
	writeFile(t, filepath.Join(dir, ".manifest"), manifest)
	for id, doc := range campaigns {
		writeFile(t, filepath.Join(dir, "promo", "campaigns", id, "data.json"), doc)
	}
	for rule, module := range rules {
		writeFile(t, filepath.Join(dir, "promo", "rules", rule+".rego"), []byte(module))
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func evaluateCase(t *testing.T, rev *policies.Revision, pc pricingCase) *policies.Decision {
	t.Helper()
	dec, err := evaluate(rev, pc)
	if err != nil {
		t.Fatal(err)
	}
	return dec
}

// evaluate prices a case's request on rev with the case's usage.
func evaluate(rev *policies.Revision, pc pricingCase) (*policies.Decision, error) {
	req, err := policies.DecodeRequest(pc.Request, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("decoding the request: %w", err)
	}
	if req.Context.Now.IsZero() {
		return nil, errors.New("the request must give context.now so that the case is deterministic")
	}
	usage := memUsage{}
	for id, u := range pc.Usage {
		usage[id] = policies.Used{Redemptions: u.Redemptions, Customer: u.Customer, Spent: u.Spent}
	}
	eng := policies.NewEngine(policies.Config{Usage: usage})
	eng.Swap(rev)
	dec, err := eng.Evaluate(context.Background(), req)
	if err != nil {
		return nil, fmt.Errorf("evaluating: %w", err)
	}
	return dec, nil
}

// checkInvariants asserts what holds for every decision (SPEC §2, §4).
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

func checkExpectation(t *testing.T, w expectation, d *policies.Decision) {
	t.Helper()
	if w.Total == nil {
		t.Fatal("the case must state want.total")
	}
	compare(t, "total", *w.Total, d.Total)
	compare(t, "discount", w.Discount, d.Discount)
	compare(t, "shipping_discount", w.ShippingDiscount, d.ShippingDiscount)
	if w.Subtotal != nil {
		compare(t, "subtotal", *w.Subtotal, d.Subtotal)
	}
	if w.Shipping != nil {
		compare(t, "shipping", *w.Shipping, d.Shipping)
	}
	compare(t, "applied", orEmpty(w.Applied), projectApplied(w.Applied, d.Applied))
	compare(t, "rejected", orEmpty(w.Rejected), projectRejected(w.Rejected, d.Rejected))
	compare(t, "points", orEmpty(w.Points), d.Points)
	compare(t, "free_items", orEmpty(w.FreeItems), d.FreeItems)
	if w.Items != nil {
		compare(t, "items", *w.Items, d.Items)
	}
}

func orEmpty[T any](xs []T) []T {
	if xs == nil {
		return []T{}
	}
	return xs
}

// projectApplied drops what the case does not assert (lines it does not list).
func projectApplied(want []wantApplied, got []policies.Applied) []wantApplied {
	out := make([]wantApplied, len(got))
	for i, a := range got {
		out[i] = wantApplied{Campaign: a.Campaign, Code: a.Code, Effect: a.Effect, Amount: a.Amount, ReducedFrom: a.ReducedFrom}
		if i < len(want) && want[i].Lines != nil {
			lines := orEmpty(a.Lines)
			out[i].Lines = &lines
		}
	}
	return out
}

// projectRejected drops the details the case does not list.
func projectRejected(want []wantRejection, got []policies.Rejection) []wantRejection {
	out := make([]wantRejection, len(got))
	for i, r := range got {
		out[i] = wantRejection{Campaign: r.Campaign, Code: r.Code, Reason: string(r.Reason)}
		if i < len(want) && want[i].Details != nil {
			details := orEmpty(r.Details)
			out[i].Details = &details
		}
	}
	return out
}

// compare reports a difference as the JSON of both sides.
func compare(t *testing.T, what string, want, got any) {
	t.Helper()
	w, _ := json.Marshal(want)
	g, _ := json.Marshal(got)
	if !bytes.Equal(w, g) {
		t.Errorf("%s:\n got: %s\nwant: %s", what, g, w)
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
		writeFile(t, path, got)
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
