package sidecar

import (
	"crypto/subtle"
	"strings"

	"github.com/valyala/fasthttp"
)

// handler is a route's handler: the request and the path's parameters.
type handler = func(*fasthttp.RequestCtx, []string)

// bearer is the request's bearer token, if it sent one.
func bearer(ctx *fasthttp.RequestCtx) ([]byte, bool) { return headerBearer(&ctx.Request.Header) }

// headerBearer is the bearer token of h's Authorization header, if any.
func headerBearer(h *fasthttp.RequestHeader) ([]byte, bool) {
	const prefix = "Bearer "
	auth := h.Peek("Authorization")
	if len(auth) <= len(prefix) || string(auth[:len(prefix)]) != prefix {
		return nil, false
	}
	return auth[len(prefix):], true
}

// is reports, in constant time, whether presented is the configured
// token; an unset token matches nothing.
func is(presented []byte, token string) bool {
	return token != "" && subtle.ConstantTimeCompare(presented, []byte(token)) == 1
}

// admin wraps a handler of an operator's endpoint (docs/api.md#admin-endpoints):
// it needs Authorization: Bearer <Config.AdminToken>. A request without a
// bearer token, or with a wrong one, is answered 401; one with a token when
// the sidecar has none configured is answered 403: admin endpoints are
// disabled, no token can open them. Each call let through is written to
// the audit log as action.
func (s *Server) admin(action string, h handler) handler {
	return func(ctx *fasthttp.RequestCtx, params []string) {
		token, presented := bearer(ctx)
		switch {
		case presented && s.cfg.AdminToken == "":
			writeError(ctx, fasthttp.StatusForbidden, errorBody{Code: "admin_disabled", Message: "admin endpoints are disabled: start promoedge with --admin-token"})
		case !presented || !is(token, s.cfg.AdminToken):
			msg := "admin endpoint: send Authorization: Bearer <admin token>"
			if s.cfg.AdminToken == "" {
				msg += " (admin endpoints are disabled: start promoedge with --admin-token)"
			}
			unauthorized(ctx, msg)
		default:
			h(ctx, params)
			if action != unaudited {
				s.audited(ctx, action, token, params)
			}
		}
	}
}

// checkout wraps a handler of a /v1/ endpoint when the sidecar has an API
// token: the call needs it or the admin token (401 otherwise).
func (s *Server) checkout(h handler) handler {
	return func(ctx *fasthttp.RequestCtx, params []string) {
		token, _ := bearer(ctx)
		if !is(token, s.cfg.APIToken) && !is(token, s.cfg.AdminToken) {
			unauthorized(ctx, "this sidecar requires a token: send Authorization: Bearer <API token> (or the admin token)")
			return
		}
		h(ctx, params)
	}
}

func unauthorized(ctx *fasthttp.RequestCtx, msg string) {
	ctx.Response.Header.Set("WWW-Authenticate", `Bearer realm="promoedge"`)
	writeError(ctx, fasthttp.StatusUnauthorized, errorBody{Code: "unauthorized", Message: msg})
}

// guard makes every /v1/ route need the API token when there is one;
// /health, /ready, /metrics and the dashboard's files stay open.
func (s *Server) guard(routes []route) []route {
	if s.cfg.APIToken == "" {
		return routes
	}
	for i := range routes {
		if !routes[i].under("/v1/") {
			continue
		}
		for m, h := range routes[i].methods {
			routes[i].methods[m] = s.checkout(h)
		}
	}
	return routes
}

// under reports whether the route's pattern is under prefix.
func (r *route) under(prefix string) bool { return strings.HasPrefix(r.name, prefix) }
