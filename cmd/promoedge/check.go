package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/promoedge/promoedge/policies/store"
)

// errMismatch: `promoedge check` found counters that do not match the
// ledger (exit status 1).
var errMismatch = errors.New("the store's counters do not match its ledger")

// runCheck is `promoedge check`: it opens a store file (refusing an
// empty, truncated or damaged one) and recomputes its counters from its
// ledger: campaigns' usage, per-customer counts, generated codes' uses,
// points balances. A file in use by a running sidecar is locked: check a
// copy from `promoedge backup`.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("check", flag.ContinueOnError)
	fset.SetOutput(stderr)
	data := fset.String("data", "./data", "directory of the store to check (its sidecar stopped)")
	file := fset.String("file", "", "a store file to check instead, e.g. a backup")
	if err := fset.Parse(args); err != nil {
		return errUsage
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "promoedge check takes no arguments, got %q\n", fset.Args())
		return errUsage
	}
	path := *file
	if path == "" {
		path = filepath.Join(*data, "promoedge.db")
	}
	st, err := openExisting(path)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := st.Check(ctx)
	if err != nil {
		return fmt.Errorf("checking %s: %w", path, err)
	}
	fmt.Fprintf(stdout, "%s: %d redemptions, %d counters checked, %d mismatches\n", path, rep.Redemptions, rep.Counters, len(rep.Mismatches))
	for _, m := range rep.Mismatches {
		fmt.Fprintln(stdout, "  mismatch:", m)
	}
	if len(rep.Mismatches) > 0 {
		return fmt.Errorf("%s: %w (%d)", path, errMismatch, len(rep.Mismatches))
	}
	return nil
}

// openExisting opens a store file that must exist: Open alone would make
// a new one.
func openExisting(path string) (*store.Store, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no store file at %s", path)
	}
	return store.Open(store.Config{Path: path})
}
