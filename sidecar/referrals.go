package sidecar

import (
	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
)

// issueReferral answers POST /v1/referrals (SPEC §9): the referrer's code
// of a referral programme; the same referrer gets the same code.
func (s *Server) issueReferral(ctx *fasthttp.RequestCtx, _ []string) {
	var ask policies.ReferralAsk
	if !s.decodeBody(ctx, &ask, `{"campaign", "customer_id", "customer"}`) {
		return
	}
	r, err := s.engine.IssueReferral(ctx, &ask)
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, r)
}

// getReferral answers GET /v1/referrals/{code}: the code and its
// successful referrals.
func (s *Server) getReferral(ctx *fasthttp.RequestCtx, params []string) {
	v, err := s.engine.ReferralView(ctx, params[0])
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, v)
}
