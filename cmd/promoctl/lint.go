package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/promoedge/promoedge/policies/bundle"
)

// lintCmd loads a bundle as the sidecar would and lists every problem.
type lintCmd struct{}

func (lintCmd) name() string { return "lint" }
func (lintCmd) synopsis() string {
	return "check a bundle as the sidecar loads it; every problem with file:line and field"
}

func (c lintCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags(c, "[bundle dir or .tar.gz]", stderr)
	if ok, err := parse(fs, args); !ok {
		return err
	}
	path := bundleArg(fs)
	rev, err := bundle.LoadPath(ctx, path)
	var le *bundle.LoadError
	if errors.As(err, &le) {
		for _, p := range le.Problems {
			fmt.Fprintln(stdout, p.String())
		}
		fmt.Fprintf(stderr, "%s: %d problems\n", path, len(le.Problems))
		return errFailed
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: ok, %d campaigns (revision %s)\n", path, len(rev.Campaigns()), rev.ID)
	return nil
}
