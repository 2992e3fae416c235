package sidecar

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
)

// maxKeyLen bounds order ids and idempotency keys.
const maxKeyLen = 256

// replayHeader marks a redeem answered from its stored answer: the same
// idempotency key and body came before (docs/api.md#redemptions).
const replayHeader = "Idempotent-Replayed"

func (s *Server) redeem(ctx *fasthttp.RequestCtx, _ []string) {
	start := time.Now()
	if !s.jsonBody(ctx) {
		return
	}
	rr, ok := s.redeemRequest(ctx, false, nil)
	if !ok {
		return
	}
	var rc *policies.Receipt
	var err error
	if _, ok := rr.Input["reservation_id"]; ok { // commits a reservation (reservations.go)
		if rc, ok = s.commitReservation(ctx, rr); !ok {
			return
		}
	} else if rc, err = s.engine.Redeem(ctx, rr); err != nil {
		fail(ctx, err)
		return
	}
	s.redeemed(ctx, rr, rc, start)
	if rc.Replayed { // a replay committed nothing
		ctx.Response.Header.Set(replayHeader, "true")
	} else {
		s.activity.Redeemed()
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("application/json")
	ctx.SetBody(rc.Response)
}

// redeemRequest reads the body of a redeem or a reservation: the request,
// its order_id (optional when orderOptional) and idempotency_key, and the
// body's hash; check reports the problems of any further fields, with the
// keys'. false: answered (400).
func (s *Server) redeemRequest(ctx *fasthttp.RequestCtx, orderOptional bool, check func(input map[string]any) []*policies.FieldError) (*policies.RedeemRequest, bool) {
	body := ctx.PostBody()
	req, err := s.engine.Decode(body)
	if err != nil {
		fail(ctx, err)
		return nil, false
	}
	rr := &policies.RedeemRequest{Request: req}
	var problems []*policies.FieldError
	if v, ok := req.Input["order_id"]; !orderOptional || (ok && v != "") {
		rr.OrderID, problems = requiredKey(req.Input, "order_id", problems)
	}
	rr.IdempotencyKey, problems = requiredKey(req.Input, "idempotency_key", problems)
	if check != nil {
		problems = append(problems, check(req.Input)...)
	}
	if len(problems) > 0 {
		fail(ctx, &policies.RequestError{Problems: problems})
		return nil, false
	}
	sum := sha256.Sum256(body)
	rr.Hash = hex.EncodeToString(sum[:])
	return rr, true
}

func requiredKey(doc map[string]any, key string, problems []*policies.FieldError) (string, []*policies.FieldError) {
	v, ok := doc[key].(string)
	switch {
	case !ok || v == "":
		return "", append(problems, &policies.FieldError{Field: key, Message: "is required: a non-empty string"})
	case len(v) > maxKeyLen:
		return "", append(problems, &policies.FieldError{Field: key, Message: fmt.Sprintf("at most %d bytes", maxKeyLen)})
	}
	return v, problems
}

func (s *Server) rollback(ctx *fasthttp.RequestCtx, params []string) {
	start := time.Now()
	r, fresh, err := s.engine.Rollback(ctx, params[0])
	if err != nil {
		fail(ctx, err)
		return
	}
	s.rolledBack(ctx, r, fresh, start)
	writeJSON(ctx, fasthttp.StatusOK, recordOf(r))
}
