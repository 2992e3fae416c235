package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/pricetest"
)

// lintCmd loads a bundle as the sidecar would and lists every problem, and
// those of its test files.
type lintCmd struct{}

func (lintCmd) name() string { return "lint" }
func (lintCmd) synopsis() string {
	return "check a bundle as the sidecar loads it, and its test files; every problem with file:line and field"
}

func (c lintCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags(c, "[bundle dir or .tar.gz]", stderr)
	if ok, err := parse(fs, args); !ok {
		return err
	}
	if err := oneArg(fs, stderr); err != nil {
		return err
	}
	path := bundleArg(fs)
	rev, err := bundle.LoadPath(ctx, path)
	var le *bundle.LoadError
	problems := 0
	switch {
	case errors.As(err, &le):
		for _, p := range le.Problems {
			fmt.Fprintln(stdout, p.String())
		}
		problems += len(le.Problems)
	case err != nil:
		return err
	}
	problems += lintTests(path, stdout)
	if problems > 0 {
		fmt.Fprintf(stderr, "%s: %d problems\n", path, problems)
		return errFailed
	}
	fmt.Fprintf(stdout, "%s: ok, %d campaigns (revision %s)\n", path, len(rev.Campaigns()), rev.ID)
	return nil
}

// lintTests reads the test files of a bundle directory and prints what is
// wrong with them; it returns how many are wrong.
func lintTests(path string, stdout io.Writer) int {
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		return 0
	}
	files, err := pricetest.Find(path)
	if err != nil {
		fmt.Fprintln(stdout, err)
		return 1
	}
	bad := 0
	for _, f := range files {
		if _, err := pricetest.ReadFile(f); err != nil {
			fmt.Fprintln(stdout, err)
			bad++
		}
	}
	return bad
}
