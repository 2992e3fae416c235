package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// LedgerQuery selects redemptions of the ledger and the format of an
// export.
type LedgerQuery struct {
	Campaign string    // "" for all
	Customer string    // "" for all
	Order    string    // an order id; "" for all
	Code     string    // a code used (case aside); "" for all
	Since    time.Time // zero for all; else redemptions created at or after it
	// Format of ExportLedger: "json" ({"redemptions": [...]}, the default),
	// "ndjson" (one record a line) or "csv" (a header, one row a
	// redemption). Redemptions always reads ndjson.
	Format string
}

func (q LedgerQuery) path(format string) string {
	v := url.Values{}
	if q.Campaign != "" {
		v.Set("campaign", q.Campaign)
	}
	if q.Customer != "" {
		v.Set("customer", q.Customer)
	}
	if q.Order != "" {
		v.Set("order", q.Order)
	}
	if q.Code != "" {
		v.Set("code", q.Code)
	}
	if !q.Since.IsZero() {
		v.Set("since", q.Since.Format(time.RFC3339Nano))
	}
	if format != "" {
		v.Set("format", format)
	}
	if len(v) == 0 {
		return "/v1/redemptions"
	}
	return "/v1/redemptions?" + v.Encode()
}

// LedgerStats is how much of the ledger an export has written.
type LedgerStats struct {
	Records int64
	Bytes   int64
}

// ExportLedger streams the ledger in q.Format to w as the sidecar sends
// it, and returns what it wrote; progress (may be nil) is called after
// each record. A sidecar that fails midway ends the stream with an error
// line, which is not written to w: the error is a *StreamError.
func (c *Client) ExportLedger(ctx context.Context, q LedgerQuery, w io.Writer, progress func(LedgerStats)) (LedgerStats, error) {
	s, err := c.openStream(ctx, http.MethodGet, q.path(q.Format), nil)
	if err != nil {
		return LedgerStats{}, err
	}
	defer s.Close()
	ex := &export{w: w, progress: progress, isRecord: recordLine(q.Format)}
	err = eachLine(s, ex.line, func() int64 { return ex.stats.Records })
	return ex.stats, err
}

// export copies the ledger's lines, counting records.
type export struct {
	w        io.Writer
	progress func(LedgerStats)
	isRecord func(n int64, line []byte) bool
	lines    int64
	stats    LedgerStats
}

func (ex *export) line(line []byte) error {
	n, err := ex.w.Write(line)
	ex.stats.Bytes += int64(n)
	if err != nil {
		return fmt.Errorf("writing the ledger: %w", err)
	}
	if ex.lines++; ex.isRecord(ex.lines, line) {
		ex.stats.Records++
		if ex.progress != nil {
			ex.progress(ex.stats)
		}
	}
	return nil
}

// recordLine says whether the n-th line of the format is a record: the
// sidecar writes each record on a line of its own.
func recordLine(format string) func(n int64, line []byte) bool {
	switch format {
	case "ndjson":
		return func(int64, []byte) bool { return true }
	case "csv":
		return func(n int64, _ []byte) bool { return n > 1 } // after the header
	default: // json: `{"redemptions":[{...}`, `,{...}` ..., `]}`
		return func(_ int64, line []byte) bool {
			return bytes.HasPrefix(line, []byte(`{"redemptions":[{`)) || bytes.HasPrefix(line, []byte(",{"))
		}
	}
}

// Redemptions calls each with every redemption of the ledger that q
// selects, oldest first, as the sidecar streams them; an error of each
// stops the call.
func (c *Client) Redemptions(ctx context.Context, q LedgerQuery, each func(*Redemption) error) error {
	s, err := c.openStream(ctx, http.MethodGet, q.path("ndjson"), nil)
	if err != nil {
		return err
	}
	defer s.Close()
	var n int64
	return eachLine(s, func(line []byte) error {
		var r Redemption
		if err := json.Unmarshal(line, &r); err != nil {
			return s.broken(n, fmt.Errorf("decoding record %d: %w", n+1, err))
		}
		n++
		return each(&r)
	}, func() int64 { return n })
}

// eachLine calls fn with each line of s (with its newline), holding back
// the blank line and the error line a failing sidecar ends with: that
// line becomes a *StreamError. delivered counts the records so far.
func eachLine(s *stream, fn func(line []byte) error, delivered func() int64) error {
	br := bufio.NewReaderSize(s, 64<<10)
	var blanks int64
	for {
		line, err := br.ReadBytes('\n')
		switch {
		case len(line) == 0:
		case bytes.Equal(line, []byte("\n")):
			blanks++
		case bytes.HasPrefix(line, []byte(errorMarker)):
			return s.trailer(io.MultiReader(bytes.NewReader(line), br), delivered())
		default:
			for ; blanks > 0; blanks-- {
				if ferr := fn([]byte("\n")); ferr != nil {
					return ferr
				}
			}
			if ferr := fn(line); ferr != nil {
				return ferr
			}
		}
		switch {
		case err == io.EOF:
			for ; blanks > 0; blanks-- {
				if ferr := fn([]byte("\n")); ferr != nil {
					return ferr
				}
			}
			return nil
		case err != nil:
			return s.broken(delivered(), fmt.Errorf("reading the ledger: %w", err))
		}
	}
}
