package pricetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
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
	// Decision is what the engine answered; nil when the case could not
	// be priced (its failure says why).
	Decision *policies.Decision
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
// rev (see Price) and checks it against what the case wants.
func Run(ctx context.Context, rev *policies.Revision, files []*File, run *regexp.Regexp) []Result {
	var out []Result
	for _, f := range files {
		for i := range f.Cases {
			c := &f.Cases[i]
			if run != nil && !run.MatchString(c.Name) {
				continue
			}
			r := Result{File: f.Path, Line: c.Line, Name: c.Name}
			dec, err := Price(ctx, rev, f, c)
			if err != nil {
				r.Failures = []string{err.Error()}
			} else {
				r.Decision, r.Failures = dec, f.want(c).check(dec)
			}
			out = append(out, r)
		}
	}
	return out
}

// Price prices case c of f on rev with the real engine: no redemption
// store, so no limit is used unless the case gives usage.
func Price(ctx context.Context, rev *policies.Revision, f *File, c *Case) (*policies.Decision, error) {
	doc := f.Request(c)
	if cx, _ := doc["context"].(map[string]any); cx == nil || cx["now"] == nil {
		return nil, errors.New("context.now is required (in the case or in defaults): tests must not depend on the clock")
	}
	req, err := policies.RequestFrom(doc, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("bad request: %w", err)
	}
	cfg := policies.Config{Usage: c.usage()}
	if cs := f.cards(c); cs != nil {
		cfg.Codes, cfg.GiftCards = cs, cs
	}
	eng := policies.NewEngine(cfg)
	eng.Swap(rev)
	dec, err := eng.Evaluate(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("evaluate: %w", err)
	}
	return dec, nil
}

// cards are the gift cards of case c: the file's and its own; nil for
// none.
func (f *File) cards(c *Case) cards {
	if f.GiftCards == nil && c.GiftCards == nil {
		return nil
	}
	out := cards{}
	maps.Copy(out, f.GiftCards)
	maps.Copy(out, c.GiftCards)
	return out
}
