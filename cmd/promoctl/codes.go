package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/promoedge/promoedge/cmd/promoctl/internal/progress"
	"github.com/promoedge/promoedge/sidecar/client"
)

// maxCodes is the most one call generates (the sidecar's limit).
const maxCodes = 1_000_000

// codesCmd generates unique codes on a sidecar and writes them out.
type codesCmd struct{}

func (codesCmd) name() string { return "codes" }
func (codesCmd) synopsis() string {
	return "generate unique codes of a campaign on a sidecar (admin); write one a line"
}

func (c codesCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags(c, "", stderr)
	var r remote
	r.flags(fs)
	campaign := fs.String("campaign", "", "the campaign (its document has unique_codes: true)")
	var spec client.CodeSpec
	fs.IntVar(&spec.Count, "count", 0, fmt.Sprintf("how many codes, 1 to %d", maxCodes))
	fs.StringVar(&spec.Pattern, "pattern", "", "the codes' shape: # a digit, ? an upper-case letter, A-Z 0-9 - _ literal, e.g. SPR-####-????")
	fs.StringVar(&spec.Prefix, "prefix", "", "literal text before the pattern")
	fs.StringVar(&spec.Postfix, "postfix", "", "literal text after the pattern")
	out := fs.String("o", "", "file to write (default stdout); it appears only when every code is written")
	if ok, err := parse(fs, args); !ok {
		return err
	}
	switch {
	case fs.NArg() > 0:
		return usageError(fs, stderr, "unexpected argument %q", fs.Arg(0))
	case *campaign == "":
		return usageError(fs, stderr, "--campaign is required")
	case spec.Count < 1 || spec.Count > maxCodes:
		return usageError(fs, stderr, "--count must be from 1 to %d, got %d", maxCodes, spec.Count)
	case !strings.ContainsAny(spec.Pattern, "#?"):
		return usageError(fs, stderr, "--pattern needs a # or ? to vary, got %q", spec.Pattern)
	}
	cl, err := r.client()
	if err != nil {
		return err
	}
	defer cl.Close()
	return generate(ctx, cl, *campaign, spec, *out, stdout, stderr)
}

// generate writes the codes to path (stdout when ""), showing progress on
// stderr.
func generate(ctx context.Context, cl *client.Client, campaign string, spec client.CodeSpec, path string, stdout, stderr io.Writer) error {
	start := time.Now()
	w, err := create(path, stdout)
	if err != nil {
		return err
	}
	meter := progress.New(stderr, progress.Terminal(stderr), progress.Task{Noun: "codes", Total: int64(spec.Count)})
	var written int64
	n, err := cl.GenerateCodes(ctx, campaign, spec, func(batch []string) error {
		for _, code := range batch {
			w.WriteString(code)
			if err := w.WriteByte('\n'); err != nil {
				return fmt.Errorf("writing %s: %w", w.name, err)
			}
		}
		written += int64(len(batch))
		meter.Update(written, 0)
		return nil
	})
	if err == nil {
		err = w.commit()
	}
	if err != nil {
		meter.Abort()
		return codesFailed(w, campaign, n, explain(err), stderr)
	}
	meter.Finish(fmt.Sprintf("wrote %d codes to %s in %.1fs", n, w.name, time.Since(start).Seconds()))
	return nil
}

// codesFailed drops the output. Codes the sidecar delivered before it
// failed are committed, so they are kept aside, not lost.
func codesFailed(w *output, campaign string, delivered int64, err error, stderr io.Writer) error {
	keep := ""
	if delivered > 0 && errors.Is(err, client.ErrIncomplete) && w.path != "" {
		keep = w.path + ".partial"
	}
	if kept := w.abort(keep); kept != "" {
		fmt.Fprintf(stderr, "promoctl codes: %d codes were committed before the failure; they are in %s\n", delivered, kept)
	}
	return fmt.Errorf("generating codes of %s: %w", campaign, err)
}
