package pricetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Result is the outcome of one case.
type Result struct {
	File     string
	Line     int
	Name     string
	Failures []string // empty when the case passed
}

// Passed reports whether the case passed.
func (r Result) Passed() bool { return len(r.Failures) == 0 }

func (r Result) String() string {
	if r.Passed() {
		return fmt.Sprintf("%s:%d: ok %s", r.File, r.Line, r.Name)
	}
	return fmt.Sprintf("%s:%d: FAIL %s\n\t%s", r.File, r.Line, r.Name, strings.Join(r.Failures, "\n\t"))
}

// Find lists the test files (*_test.yaml, *_test.yml) under dir, sorted.
func Find(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (strings.HasSuffix(p, "_test.yaml") || strings.HasSuffix(p, "_test.yml")) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// Run prices every case of files whose name matches run (nil: all) on
// rev, with the real engine and no redemption store (no limit is used).
func Run(ctx context.Context, rev *policies.Revision, files []*File, run *regexp.Regexp) []Result {
	eng := policies.NewEngine(policies.Config{})
	eng.Swap(rev)
	var out []Result
	for _, f := range files {
		for i := range f.Cases {
			c := &f.Cases[i]
			if run != nil && !run.MatchString(c.Name) {
				continue
			}
			r := Result{File: f.Path, Line: c.Line, Name: c.Name}
			r.Failures = check(ctx, eng, f, c)
			out = append(out, r)
		}
	}
	return out
}

func check(ctx context.Context, eng *policies.Engine, f *File, c *Case) []string {
	doc := f.request(c)
	if cx, _ := doc["context"].(map[string]any); cx == nil || cx["now"] == nil {
		return []string{"context.now is required (in the case or in defaults): tests must not depend on the clock"}
	}
	req, err := policies.RequestFrom(doc, time.Time{})
	if err != nil {
		return []string{"bad request: " + err.Error()}
	}
	dec, err := eng.Evaluate(ctx, req)
	if err != nil {
		return []string{"evaluate: " + err.Error()}
	}
	return compare(c.Want, dec)
}

// compare lists every way dec differs from w.
func compare(w Want, dec *policies.Decision) []string {
	var out []string
	amount := func(what string, want *int64, got int64) {
		if want != nil && *want != got {
			out = append(out, fmt.Sprintf("%s = %d, want %d", what, got, *want))
		}
	}
	amount("subtotal", w.Subtotal, dec.Subtotal)
	amount("discount", w.Discount, dec.Discount)
	amount("shipping_discount", w.ShippingDiscount, dec.ShippingDiscount)
	amount("total", w.Total, dec.Total)
	if w.Applied != nil {
		got := map[string]int64{}
		for _, a := range dec.Applied {
			got[a.Campaign] += a.Amount
		}
		out = append(out, sameAmounts("applied", w.Applied, got)...)
	}
	if w.Points != nil {
		got := map[string]int64{}
		for _, p := range dec.Points {
			got[p.Campaign] += p.Points
		}
		out = append(out, sameAmounts("points", w.Points, got)...)
	}
	if w.FreeItems != nil {
		got := map[string]int64{}
		for _, fi := range dec.FreeItems {
			got[fi.SKU] += fi.Quantity
		}
		out = append(out, sameAmounts("free_items", w.FreeItems, got)...)
	}
	for _, id := range w.NotApplied {
		for _, a := range dec.Applied {
			if a.Campaign == id {
				out = append(out, fmt.Sprintf("applied: %s applied (%s %d), want it not applied", id, a.Effect, a.Amount))
				break
			}
		}
	}
	for _, id := range sortedKeys(w.Rejected) {
		out = append(out, rejected(id, w.Rejected[id], dec)...)
	}
	return out
}

// sameAmounts checks the amount of every key of want.
func sameAmounts(what string, want, got map[string]int64) []string {
	var out []string
	for _, k := range sortedKeys(want) {
		g, ok := got[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: %s is missing (want %d)", what, k, want[k]))
		case g != want[k]:
			out = append(out, fmt.Sprintf("%s: %s = %d, want %d", what, k, g, want[k]))
		}
	}
	return out
}

func rejected(id string, want Rejection, dec *policies.Decision) []string {
	for _, r := range dec.Rejected {
		if r.Campaign != id {
			continue
		}
		var out []string
		if want.Reason != "" && r.Reason != want.Reason {
			out = append(out, fmt.Sprintf("rejected: %s reason %q, want %q (details %q)", id, r.Reason, want.Reason, r.Details))
		}
		if want.Details != nil && !slices.Equal(want.Details, r.Details) {
			out = append(out, fmt.Sprintf("rejected: %s details %q, want %q", id, r.Details, want.Details))
		}
		return out
	}
	for _, a := range dec.Applied {
		if a.Campaign == id {
			return []string{fmt.Sprintf("rejected: %s applied, want it rejected (%s)", id, want.Reason)}
		}
	}
	return []string{fmt.Sprintf("rejected: %s is not in rejected (want %s)", id, want.Reason)}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
