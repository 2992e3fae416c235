package sidecar

import (
	"bytes"
	"errors"

	"github.com/valyala/fasthttp"
)

// bodyLimit is the server's HeaderReceived hook: once a request's header
// is read, and before any of its body is, it chooses the largest body the
// request may send. A bundle upload that carries the admin token may send
// Config.MaxBundleBytes; every other request, a bundle upload without the
// token included, Config.MaxBodyBytes. A larger body is refused with 413
// (or, for an upload without the token, 401) without being read.
//
// It also chooses how long the answer may take to write: an admin's
// streamed answer (generated codes, the ledger's export, a backup, a
// wallet's history) gets Config.StreamWriteTimeout, since a million codes
// take longer than a priced cart's WriteTimeout to send.
//
// The admin token is compared only for those two kinds of request, not
// for every priced cart.
func (s *Server) bodyLimit(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	rc := fasthttp.RequestConfig{MaxRequestBodySize: s.cfg.MaxBodyBytes}
	switch {
	case isBundleUpload(h):
		if s.adminBearer(h) {
			rc.MaxRequestBodySize = max(rc.MaxRequestBodySize, s.cfg.MaxBundleBytes)
		}
	case isStreamed(h):
		if s.adminBearer(h) {
			rc.WriteTimeout = s.cfg.StreamWriteTimeout
		}
	}
	return rc
}

// isStreamed reports whether h asks for an answer the server streams.
func isStreamed(h *fasthttp.RequestHeader) bool {
	path, _, _ := bytes.Cut(h.RequestURI(), []byte("?"))
	switch string(h.Method()) {
	case fasthttp.MethodPost:
		return bytes.HasPrefix(path, []byte("/v1/campaigns/")) && bytes.HasSuffix(path, []byte("/codes"))
	case fasthttp.MethodGet:
		return string(path) == "/v1/redemptions" || string(path) == "/v1/backup" ||
			(bytes.HasPrefix(path, []byte("/v1/wallets/")) && bytes.HasSuffix(path, []byte("/transactions")))
	}
	return false
}

// isBundleUpload reports whether h is PUT /v1/bundles (any query). A path
// spelled otherwise (//v1/bundles) gets the smaller limit: the safe side.
func isBundleUpload(h *fasthttp.RequestHeader) bool {
	path, _, _ := bytes.Cut(h.RequestURI(), []byte("?"))
	return string(h.Method()) == fasthttp.MethodPut && string(path) == "/v1/bundles"
}

// adminBearer reports whether h carries the admin token, compared in
// constant time; never when no token is configured.
func (s *Server) adminBearer(h *fasthttp.RequestHeader) bool {
	token, ok := headerBearer(h)
	return ok && is(token, s.cfg.AdminToken)
}

// transportError answers errors fasthttp meets before a handler runs. A
// bundle upload refused for its size without the admin token is answered
// as the admin check answers it (401 or 403): the caller learns about the
// token, not about the limit.
func (s *Server) transportError(ctx *fasthttp.RequestCtx, err error) {
	if errors.Is(err, fasthttp.ErrBodyTooLarge) && isBundleUpload(&ctx.Request.Header) && !s.adminBearer(&ctx.Request.Header) {
		s.admin(unaudited, func(ctx *fasthttp.RequestCtx, _ []string) { tooLarge(ctx) })(ctx, nil)
		return
	}
	if errors.Is(err, fasthttp.ErrBodyTooLarge) {
		tooLarge(ctx)
		return
	}
	writeError(ctx, fasthttp.StatusBadRequest, errorBody{Code: codeInvalid, Message: "malformed HTTP request: " + err.Error()})
}

func tooLarge(ctx *fasthttp.RequestCtx) {
	writeError(ctx, fasthttp.StatusRequestEntityTooLarge, errorBody{Code: codeTooLarge, Message: "request body is larger than the limit"})
}
