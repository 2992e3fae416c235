package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/promoedge/promoedge/cmd/promoctl/internal/progress"
	"github.com/promoedge/promoedge/sidecar/client"
)

// ledgerCmd exports a sidecar's ledger.
type ledgerCmd struct{}

func (ledgerCmd) name() string { return "ledger" }
func (ledgerCmd) synopsis() string {
	return "export the redemptions ledger of a sidecar as ndjson, csv or json"
}

func (c ledgerCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags(c, "", stderr)
	var r remote
	r.flags(fs)
	var q client.LedgerQuery
	fs.StringVar(&q.Campaign, "campaign", "", "only redemptions that applied this campaign")
	fs.StringVar(&q.Customer, "customer", "", "only this customer's redemptions")
	since := fs.String("since", "", "only redemptions at or after this RFC 3339 time, e.g. 2026-11-24T00:00:00Z")
	fs.StringVar(&q.Format, "format", "ndjson", "ndjson (a record a line), csv (a header, a row a redemption) or json")
	out := fs.String("o", "", "file to write (default stdout); it appears only when the whole ledger is written")
	if ok, err := parse(fs, args); !ok {
		return err
	}
	switch q.Format {
	case "ndjson", "csv", "json":
	default:
		return usageError(fs, stderr, "--format must be ndjson, csv or json, got %q", q.Format)
	}
	if fs.NArg() > 0 {
		return usageError(fs, stderr, "unexpected argument %q", fs.Arg(0))
	}
	if *since != "" {
		t, err := time.Parse(time.RFC3339Nano, *since)
		if err != nil {
			return usageError(fs, stderr, "--since must be an RFC 3339 time, got %q", *since)
		}
		q.Since = t
	}
	cl, err := r.client()
	if err != nil {
		return err
	}
	defer cl.Close()
	return export(ctx, cl, q, *out, stdout, stderr)
}

// export writes the ledger to path (stdout when ""), showing progress on
// stderr.
func export(ctx context.Context, cl *client.Client, q client.LedgerQuery, path string, stdout, stderr io.Writer) error {
	start := time.Now()
	w, err := create(path, stdout)
	if err != nil {
		return err
	}
	meter := progress.New(stderr, progress.Terminal(stderr), progress.Task{Noun: "records"})
	st, err := cl.ExportLedger(ctx, q, w, func(s client.LedgerStats) { meter.Update(s.Records, s.Bytes) })
	if err == nil {
		err = w.commit()
	}
	if err != nil {
		meter.Abort()
		w.abort("")
		return fmt.Errorf("exporting the ledger: %w", explain(err))
	}
	meter.Finish(fmt.Sprintf("wrote %d records (%s) to %s in %.1fs", st.Records, progress.Bytes(st.Bytes), w.name, time.Since(start).Seconds()))
	return nil
}
