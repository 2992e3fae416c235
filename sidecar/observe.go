package sidecar

import (
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
)

// What the handlers report of each decision: the metrics (always) and the
// decision log (when configured). One call per handler keeps them small.

// maxRequestID bounds the X-Request-Id logged with a decision.
const maxRequestID = 128

func requestID(ctx *fasthttp.RequestCtx) string {
	id := ctx.Request.Header.Peek("X-Request-Id")
	if len(id) == 0 || len(id) > maxRequestID {
		return ""
	}
	return string(id)
}

// evaluated reports an evaluate decision that took since start so far.
func (s *Server) evaluated(ctx *fasthttp.RequestCtx, req *policies.Request, dec *policies.Decision, start time.Time) {
	s.metrics.evaluated(s.engine.Revision(), dec, req.Subject())
	if s.decisions != nil {
		s.decisions.Evaluated(requestID(ctx), req.Customer.ID, dec, time.Since(start))
	}
}

// redeemed reports a redemption.
func (s *Server) redeemed(ctx *fasthttp.RequestCtx, rr *policies.RedeemRequest, rc *policies.Receipt, start time.Time) {
	s.metrics.redeemed(s.engine.Revision(), rc, rr.Subject())
	if s.decisions != nil {
		s.decisions.Redeemed(requestID(ctx), rr.Customer.ID, rr.OrderID, rc, time.Since(start))
	}
}

// rolledBack reports a rollback; fresh is false when it had been already.
func (s *Server) rolledBack(ctx *fasthttp.RequestCtx, r *policies.Redemption, fresh bool, start time.Time) {
	if fresh {
		s.metrics.rolledBack(r)
	}
	if s.decisions != nil {
		s.decisions.RolledBack(requestID(ctx), r, fresh, time.Since(start))
	}
}
