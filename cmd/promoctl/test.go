package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"

	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/pricetest"
)

// testCmd prices a bundle's test cases (*_test.yaml) with the real engine.
type testCmd struct{}

func (testCmd) name() string { return "test" }
func (testCmd) synopsis() string {
	return "price a bundle's test cases (*_test.yaml: cart, customer, context -> discount, total, applied)"
}

func (c testCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags(c, "[bundle dir] [test files...]", stderr)
	verbose := fs.Bool("v", false, "list every case, not only failures")
	runRE := fs.String("run", "", "only cases whose name matches this regular expression")
	if ok, err := parse(fs, args); !ok {
		return err
	}
	var re *regexp.Regexp
	if *runRE != "" {
		var err error
		if re, err = regexp.Compile(*runRE); err != nil {
			return fmt.Errorf("-run: %w", err)
		}
	}
	dir := bundleArg(fs)
	files, err := testFiles(dir, fs.Args())
	if err != nil {
		return err
	}
	rev, err := bundle.LoadPath(ctx, dir)
	var le *bundle.LoadError
	if errors.As(err, &le) {
		for _, p := range le.Problems {
			fmt.Fprintln(stdout, p.String())
		}
		return errFailed
	}
	if err != nil {
		return err
	}
	failed := 0
	results := pricetest.Run(ctx, rev, files, re)
	for _, r := range results {
		if !r.Passed() {
			failed++
		}
		if !r.Passed() || *verbose {
			fmt.Fprintln(stdout, r)
		}
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "FAIL %s: %d of %d cases failed\n", dir, failed, len(results))
		return errFailed
	}
	fmt.Fprintf(stdout, "ok   %s: %d cases in %d files\n", dir, len(results), len(files))
	return nil
}

// testFiles reads the files named, or every *_test.yaml under dir.
func testFiles(dir string, named []string) ([]*pricetest.File, error) {
	paths := named
	if len(named) > 1 {
		paths = named[1:]
	} else {
		var err error
		if paths, err = pricetest.Find(dir); err != nil {
			return nil, err
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no test files (*_test.yaml) under %s", dir)
	}
	var out []*pricetest.File
	for _, p := range paths {
		f, err := pricetest.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
