package sidecar

import (
	"crypto/subtle"

	"github.com/valyala/fasthttp"
)

// admin wraps a handler that changes what the sidecar serves: it needs
// Authorization: Bearer <Config.AdminToken>, and without a configured
// token it is refused outright.
func (s *Server) admin(h func(*fasthttp.RequestCtx, []string)) func(*fasthttp.RequestCtx, []string) {
	return func(ctx *fasthttp.RequestCtx, params []string) {
		if s.cfg.AdminToken == "" {
			writeError(ctx, fasthttp.StatusForbidden, errorBody{Code: "admin_disabled", Message: "admin endpoints are disabled: start promoedge with --admin-token"})
			return
		}
		const prefix = "Bearer "
		auth := ctx.Request.Header.Peek("Authorization")
		if len(auth) <= len(prefix) || string(auth[:len(prefix)]) != prefix ||
			subtle.ConstantTimeCompare(auth[len(prefix):], []byte(s.cfg.AdminToken)) != 1 {
			ctx.Response.Header.Set("WWW-Authenticate", `Bearer realm="promoedge"`)
			writeError(ctx, fasthttp.StatusUnauthorized, errorBody{Code: "unauthorized", Message: "admin endpoint: send Authorization: Bearer <admin token>"})
			return
		}
		h(ctx, params)
	}
}
