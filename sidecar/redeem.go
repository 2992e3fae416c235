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
	body := ctx.PostBody()
	req, err := s.engine.Decode(body)
	if err != nil {
		fail(ctx, err)
		return
	}
	rr := &policies.RedeemRequest{Request: req}
	var problems []*policies.FieldError
	rr.OrderID, problems = requiredKey(req.Input, "order_id", problems)
	rr.IdempotencyKey, problems = requiredKey(req.Input, "idempotency_key", problems)
	if len(problems) > 0 {
		fail(ctx, &policies.RequestError{Problems: problems})
		return
	}
	sum := sha256.Sum256(body)
	rr.Hash = hex.EncodeToString(sum[:])
	var rc *policies.Receipt
	if _, ok := req.Input["reservation_id"]; ok { // commits a reservation (reservations.go)
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
