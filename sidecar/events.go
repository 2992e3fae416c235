package sidecar

import (
	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
)

// recordEvent answers POST /v1/events: the event's points and the
// triggers it cancelled, fired, scheduled or did not start (SPEC §13).
func (s *Server) recordEvent(ctx *fasthttp.RequestCtx, _ []string) {
	if !s.jsonBody(ctx) {
		return
	}
	ev, err := policies.DecodeEvent(ctx.PostBody(), s.engine.Now())
	if err != nil {
		fail(ctx, err)
		return
	}
	res, err := s.engine.RecordEvent(ctx, ev)
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, res)
}

// getEvent answers GET /v1/events/{id} (admin): the event as sent, its
// points, and where its triggers stand now.
func (s *Server) getEvent(ctx *fasthttp.RequestCtx, params []string) {
	v, err := s.engine.EventByID(ctx, params[0])
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, v)
}
