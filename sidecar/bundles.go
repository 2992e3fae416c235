package sidecar

import (
	"fmt"

	"github.com/valyala/fasthttp"
)

// putBundle activates the tar.gz body. A bundle that does not load is
// refused with every problem (400) and the active one keeps serving.
func (s *Server) putBundle(ctx *fasthttp.RequestCtx, _ []string) {
	if s.bundles == nil {
		writeError(ctx, fasthttp.StatusServiceUnavailable, errorBody{Code: "no_bundles", Message: "this sidecar does not take bundle uploads"})
		return
	}
	body := ctx.PostBody()
	if len(body) == 0 {
		writeError(ctx, fasthttp.StatusBadRequest, errorBody{Code: codeInvalid, Message: "body must be a bundle (.tar.gz)"})
		return
	}
	act, err := s.bundles.Tarball(ctx, fmt.Sprintf("upload from %s", ctx.RemoteAddr()), body)
	switch {
	case err != nil && act == nil:
		bundleRefused(ctx, err)
	default: // active; a failure to keep it on disk is reported with it
		out := map[string]any{"active": act}
		if err != nil {
			out["warning"] = err.Error()
		}
		writeJSON(ctx, fasthttp.StatusOK, out)
	}
}

func (s *Server) getBundles(ctx *fasthttp.RequestCtx, _ []string) {
	if s.bundles == nil {
		rev := s.engine.Revision()
		if rev == nil {
			writeJSON(ctx, fasthttp.StatusOK, map[string]any{"active": nil, "history": []any{}, "last_error": nil})
			return
		}
		active := map[string]any{"revision": rev.ID, "activated_at": rev.Loaded.UTC(), "source": rev.Source}
		writeJSON(ctx, fasthttp.StatusOK, map[string]any{"active": active, "history": []any{active}, "last_error": nil})
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, s.bundles.Status())
}
