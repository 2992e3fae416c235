package sidecar

import (
	"crypto/subtle"

	"github.com/valyala/fasthttp"
)

// admin wraps a handler that changes what the sidecar serves: it needs
// Authorization: Bearer <Config.AdminToken>. A request without a bearer
// token, or with a wrong one, is answered 401 (docs/api.md#admin-endpoints); one with a token
// when the sidecar has none configured is answered 403: admin endpoints
// are disabled, no token can open them.
func (s *Server) admin(h func(*fasthttp.RequestCtx, []string)) func(*fasthttp.RequestCtx, []string) {
	return func(ctx *fasthttp.RequestCtx, params []string) {
		const prefix = "Bearer "
		auth := ctx.Request.Header.Peek("Authorization")
		presented := len(auth) > len(prefix) && string(auth[:len(prefix)]) == prefix
		switch {
		case presented && s.cfg.AdminToken == "":
			writeError(ctx, fasthttp.StatusForbidden, errorBody{Code: "admin_disabled", Message: "admin endpoints are disabled: start promoedge with --admin-token"})
		case !presented || subtle.ConstantTimeCompare(auth[len(prefix):], []byte(s.cfg.AdminToken)) != 1:
			msg := "admin endpoint: send Authorization: Bearer <admin token>"
			if s.cfg.AdminToken == "" {
				msg += " (admin endpoints are disabled: start promoedge with --admin-token)"
			}
			ctx.Response.Header.Set("WWW-Authenticate", `Bearer realm="promoedge"`)
			writeError(ctx, fasthttp.StatusUnauthorized, errorBody{Code: "unauthorized", Message: msg})
		default:
			h(ctx, params)
		}
	}
}
