package sidecar

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
)

func (s *Server) evaluate(ctx *fasthttp.RequestCtx, _ []string) {
	start := time.Now()
	if !s.jsonBody(ctx) {
		return
	}
	req, err := s.engine.Decode(ctx.PostBody())
	if err != nil {
		fail(ctx, err)
		return
	}
	// A RequestCtx is done only when the server shuts down, and requests in
	// flight are meant to finish then: pricing needs no watch on it (OPA
	// would start a goroutine per evaluation for one).
	dec, err := s.engine.Evaluate(context.WithoutCancel(ctx), req)
	if err != nil {
		fail(ctx, err)
		return
	}
	s.evaluated(ctx, req, dec, start)
	s.activity.Evaluated(dec)
	writeDecision(ctx, dec)
	if s.bundles != nil {
		s.bundles.Offer(req, dec) // the shadow bundle's, off the answer's path
	}
}

// decisionBufs are buffers for encoding decisions, reused across requests.
var decisionBufs = sync.Pool{New: func() any { return new([]byte) }}

// writeDecision answers 200 with dec, as writeJSON would write it (the
// same bytes) without reflection.
func writeDecision(ctx *fasthttp.RequestCtx, dec *policies.Decision) {
	buf := decisionBufs.Get().(*[]byte)
	*buf = append(dec.AppendJSON((*buf)[:0]), '\n')
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("application/json")
	ctx.Response.AppendBody(*buf)
	decisionBufs.Put(buf)
}

// jsonBody refuses a body declared as something other than JSON, or
// larger than the JSON body limit (which bodyLimit already holds it to).
func (s *Server) jsonBody(ctx *fasthttp.RequestCtx) bool {
	if len(ctx.PostBody()) > s.cfg.MaxBodyBytes {
		writeError(ctx, fasthttp.StatusRequestEntityTooLarge, errorBody{Code: codeTooLarge, Message: "request body is larger than the limit"})
		return false
	}
	ct := ctx.Request.Header.ContentType()
	if len(ct) == 0 || bytes.HasPrefix(ct, []byte("application/json")) || bytes.HasPrefix(ct, []byte("application/x-www-form-urlencoded")) {
		// curl -d sends the form content type; a JSON body is still JSON.
		return true
	}
	writeError(ctx, fasthttp.StatusUnsupportedMediaType, errorBody{Code: codeUnsupported, Message: "body must be application/json, got " + string(ct)})
	return false
}

func (s *Server) health(ctx *fasthttp.RequestCtx, _ []string) {
	writeJSON(ctx, fasthttp.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) ready(ctx *fasthttp.RequestCtx, _ []string) {
	rev := s.engine.Revision()
	if rev == nil {
		writeError(ctx, fasthttp.StatusServiceUnavailable, errorBody{Code: codeNotReady, Message: "no policy bundle is active"})
		return
	}
	if err := s.storeWritable(); err != nil {
		writeError(ctx, fasthttp.StatusServiceUnavailable, errorBody{Code: codeNotReady, Message: "the store cannot write: " + err.Error()})
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, map[string]string{"status": "ready", "bundle_revision": rev.ID})
}
