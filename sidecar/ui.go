package sidecar

import (
	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/sidecar/ui"
)

// uiPolicy lets the dashboard load and call nothing but this server: no
// other host, no inline script or style, no frames.
const uiPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// uiIndex serves the dashboard's page at /ui/ and sends /ui there, so that
// the page's relative links resolve under /ui/.
func (s *Server) uiIndex(ctx *fasthttp.RequestCtx, _ []string) {
	if string(ctx.Path()) != "/ui/" {
		ctx.Response.Header.Set("Location", "/ui/")
		ctx.SetStatusCode(fasthttp.StatusMovedPermanently)
		return
	}
	s.uiFile(ctx, []string{"index.html"})
}

// uiFile serves one of the dashboard's embedded files.
func (s *Server) uiFile(ctx *fasthttp.RequestCtx, params []string) {
	f, ok := ui.Lookup(params[0])
	if !ok {
		writeError(ctx, fasthttp.StatusNotFound, errorBody{Code: codeNotFound, Message: "no such dashboard file: " + params[0]})
		return
	}
	h := &ctx.Response.Header
	h.Set("Content-Security-Policy", uiPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", f.ETag)
	if string(ctx.Request.Header.Peek("If-None-Match")) == f.ETag {
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return
	}
	ctx.SetContentType(f.ContentType)
	ctx.SetBody(f.Data)
}
