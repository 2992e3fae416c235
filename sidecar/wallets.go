package sidecar

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
)

// getWallet answers GET /v1/wallets/{customer}[?at=RFC 3339].
func (s *Server) getWallet(ctx *fasthttp.RequestCtx, params []string) {
	at, ok := atParam(ctx)
	if !ok {
		return
	}
	v, err := s.engine.Wallet(ctx, params[0], at)
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, v)
}

// atParam reads ?at=; the zero time when absent. It answers 400 itself.
func atParam(ctx *fasthttp.RequestCtx) (time.Time, bool) {
	raw := ctx.QueryArgs().Peek("at")
	if len(raw) == 0 {
		return time.Time{}, true
	}
	t, err := time.Parse(time.RFC3339Nano, string(raw))
	if err != nil {
		fail(ctx, &policies.RequestError{Problems: []*policies.FieldError{{Field: "at", Message: "must be an RFC 3339 time, got " + strconv.Quote(string(raw))}}})
		return time.Time{}, false
	}
	return t, true
}

var walletCSVHeader = []string{"id", "at", "kind", "points", "balance", "source"}

// listWalletTx streams GET /v1/wallets/{customer}/transactions as json,
// ndjson or csv, in constant memory.
func (s *Server) listWalletTx(ctx *fasthttp.RequestCtx, params []string) {
	customer := params[0]
	if err := policies.CheckCustomer("customer", customer); err != nil {
		fail(ctx, err)
		return
	}
	format := string(ctx.QueryArgs().Peek("format"))
	var write func(w *bufio.Writer) error
	switch format {
	case "", "json":
		ctx.SetContentType("application/json")
		write = s.walletTxJSON(ctx, customer)
	case "ndjson":
		ctx.SetContentType("application/x-ndjson")
		write = s.walletTxNDJSON(ctx, customer)
	case "csv":
		ctx.SetContentType("text/csv; charset=utf-8")
		write = s.walletTxCSV(ctx, customer)
	default:
		fail(ctx, &policies.RequestError{Problems: []*policies.FieldError{{Field: "format", Message: "must be json, ndjson or csv, got " + strconv.Quote(format)}}})
		return
	}
	streamOK(ctx, write)
}

func (s *Server) walletTxJSON(ctx *fasthttp.RequestCtx, customer string) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error {
		w.WriteString(`{"transactions":[`)
		first := true
		err := s.engine.Transactions(ctx, customer, func(wt *policies.WalletTx) error {
			if !first {
				w.WriteByte(',')
			}
			first = false
			return json.NewEncoder(w).Encode(wt)
		})
		w.WriteString("]}\n")
		return err
	}
}

func (s *Server) walletTxNDJSON(ctx *fasthttp.RequestCtx, customer string) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		return s.engine.Transactions(ctx, customer, func(wt *policies.WalletTx) error { return enc.Encode(wt) })
	}
}

func (s *Server) walletTxCSV(ctx *fasthttp.RequestCtx, customer string) func(*bufio.Writer) error {
	return func(w *bufio.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write(walletCSVHeader); err != nil {
			return err
		}
		err := s.engine.Transactions(ctx, customer, func(wt *policies.WalletTx) error {
			return cw.Write([]string{wt.ID, wt.At.Format(time.RFC3339Nano), string(wt.Kind),
				strconv.FormatInt(wt.Points, 10), strconv.FormatInt(wt.Balance, 10), wt.Source})
		})
		cw.Flush()
		return errors.Join(err, cw.Error())
	}
}

// adjustBody is POST /v1/wallets/{customer}/adjust.
type adjustBody struct {
	Points         int64  `json:"points"`
	Reason         string `json:"reason"`
	IdempotencyKey string `json:"idempotency_key"`
}

// adjustWallet answers POST /v1/wallets/{customer}/adjust (admin); the
// admin wrapper writes it to the audit log as wallet.adjust, with the
// customer as its target and the status answered.
func (s *Server) adjustWallet(ctx *fasthttp.RequestCtx, params []string) {
	var b adjustBody
	if !s.decodeBody(ctx, &b, `{"points", "reason", "idempotency_key"}`) {
		return
	}
	wt, err := s.engine.Adjust(ctx, params[0], b.Points, b.Reason, b.IdempotencyKey)
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, wt)
}

// claimBody is POST /v1/wallets/{customer}/rewards.
type claimBody struct {
	Reward         string `json:"reward"`
	IdempotencyKey string `json:"idempotency_key"`
}

// claimReward answers POST /v1/wallets/{customer}/rewards.
func (s *Server) claimReward(ctx *fasthttp.RequestCtx, params []string) {
	var b claimBody
	if !s.decodeBody(ctx, &b, `{"reward", "idempotency_key"}`) {
		return
	}
	res, err := s.engine.ClaimReward(ctx, params[0], b.Reward, b.IdempotencyKey)
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, res)
}

// decodeBody reads a JSON body into v, strictly; it answers 400 itself.
func (s *Server) decodeBody(ctx *fasthttp.RequestCtx, v any, shape string) bool {
	if !s.jsonBody(ctx) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(ctx.PostBody()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		fail(ctx, &policies.RequestError{Problems: []*policies.FieldError{{Message: "body must be " + shape + ": " + err.Error()}}})
		return false
	}
	return true
}
