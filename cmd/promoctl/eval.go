package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/promoedge/promoedge/internal/yamljson"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

// evalCmd prices one request against a bundle, offline.
type evalCmd struct{}

func (evalCmd) name() string { return "eval" }
func (evalCmd) synopsis() string {
	return "price one request (JSON or YAML, as POST /v1/evaluate takes it; - for stdin) offline; print the decision"
}

func (c evalCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags(c, "<request file>", stderr)
	dir := fs.String("bundle", ".", "bundle directory or .tar.gz")
	if ok, err := parse(fs, args); !ok {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	body, err := readInput(fs.Arg(0))
	if err != nil {
		return err
	}
	rev, err := bundle.LoadPath(ctx, *dir)
	if err != nil {
		return err
	}
	eng := policies.NewEngine(policies.Config{})
	eng.Swap(rev)
	req, err := policies.DecodeRequest(body, time.Now())
	if err != nil {
		return err
	}
	dec, err := eng.Evaluate(ctx, req)
	if err != nil {
		return fmt.Errorf("evaluating: %w", err)
	}
	out, err := json.MarshalIndent(dec, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

// readInput reads a request file (or stdin for "-") as JSON; YAML is
// converted.
func readInput(name string) ([]byte, error) {
	var raw []byte
	var err error
	if name == "-" {
		raw, err = io.ReadAll(os.Stdin)
	} else {
		raw, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, err
	}
	if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] == '{' {
		return raw, nil
	}
	js, err := yamljson.ToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return js, nil
}
