package sidecar

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/api"
)

// recordOf is r as the ledger and a rollback show it (docs/api.md#the-ledger).
func recordOf(r *policies.Redemption) api.Redemption {
	return api.Redemption{ID: r.ID, OrderID: r.OrderID, CustomerID: r.CustomerID, CreatedAt: r.CreatedAt, Status: r.Status,
		RolledBackAt: r.RolledBackAt, Currency: r.Currency, Campaigns: r.Campaigns, Discount: r.Discount, Total: r.Total}
}

var csvHeader = []string{"redemption_id", "order_id", "customer_id", "created_at", "status", "currency", "campaigns", "codes", "discount", "total", "points"}

func csvRow(r *api.Redemption) []string {
	var camps, codes []string
	var points int64
	for _, c := range r.Campaigns {
		camps = append(camps, c.Campaign)
		if c.Code != "" {
			codes = append(codes, c.Code)
		}
		points += c.Points
	}
	return []string{r.ID, r.OrderID, r.CustomerID, r.CreatedAt.Format(time.RFC3339Nano), string(r.Status), r.Currency,
		strings.Join(camps, ";"), strings.Join(codes, ";"), strconv.FormatInt(r.Discount, 10), strconv.FormatInt(r.Total, 10), strconv.FormatInt(points, 10)}
}

// listRedemptions streams the ledger: constant memory however many rows.
func (s *Server) listRedemptions(ctx *fasthttp.RequestCtx, _ []string) {
	if s.state == nil {
		fail(ctx, policies.ErrNoStore)
		return
	}
	args := ctx.QueryArgs()
	q := policies.LedgerQuery{Campaign: string(args.Peek("campaign")), Customer: string(args.Peek("customer")),
		Order: string(args.Peek("order")), Code: string(args.Peek("code"))}
	if since := args.Peek("since"); len(since) > 0 {
		t, err := time.Parse(time.RFC3339Nano, string(since))
		if err != nil {
			fail(ctx, &policies.RequestError{Problems: []*policies.FieldError{{Field: "since", Message: "must be an RFC 3339 time"}}})
			return
		}
		q.Since = t
	}
	format := string(args.Peek("format"))
	var write func(w *bufio.Writer) error
	switch format {
	case "", "json":
		ctx.SetContentType("application/json")
		write = s.ledgerJSON(q)
	case "ndjson":
		ctx.SetContentType("application/x-ndjson")
		write = s.ledgerNDJSON(q)
	case "csv":
		ctx.SetContentType("text/csv; charset=utf-8")
		write = s.ledgerCSV(q)
	default:
		fail(ctx, &policies.RequestError{Problems: []*policies.FieldError{{Field: "format", Message: "must be json, ndjson or csv, got " + strconv.Quote(format)}}})
		return
	}
	streamOK(ctx, write)
}

func (s *Server) ledgerJSON(q policies.LedgerQuery) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error {
		w.WriteString(`{"redemptions":[`)
		first := true
		enc := json.NewEncoder(w)
		err := s.state.Redemptions(context.Background(), q, func(r *policies.Redemption) error {
			if !first {
				w.WriteByte(',')
			}
			first = false
			return enc.Encode(recordOf(r))
		})
		w.WriteString("]}\n")
		return err
	}
}

func (s *Server) ledgerNDJSON(q policies.LedgerQuery) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		return s.state.Redemptions(context.Background(), q, func(r *policies.Redemption) error {
			return enc.Encode(recordOf(r))
		})
	}
}

func (s *Server) ledgerCSV(q policies.LedgerQuery) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(csvHeader); err != nil {
			return err
		}
		err := s.state.Redemptions(context.Background(), q, func(r *policies.Redemption) error {
			rec := recordOf(r)
			return cw.Write(csvRow(&rec))
		})
		cw.Flush()
		if err != nil {
			return err
		}
		return cw.Error()
	}
}

// streamOK answers 200 with the body write streams. Its headers are gone
// by the time write fails, so the stream ends with an "#error:" line a
// reader sees (docs/api.md#streamed-answers).
func streamOK(ctx *fasthttp.RequestCtx, write func(*bufio.Writer) error) {
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		if err := write(w); err != nil {
			w.WriteString("\n#error: " + err.Error() + "\n")
		}
		w.Flush()
	})
}
