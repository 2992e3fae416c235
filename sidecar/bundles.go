package sidecar

import (
	"fmt"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies/activation"
)

// uploadedBundle is a bundle upload's body and where it came from; false
// when the sidecar takes no uploads or the body is empty (answered).
func (s *Server) uploadedBundle(ctx *fasthttp.RequestCtx) (body []byte, source string, ok bool) {
	if s.bundles == nil {
		writeError(ctx, fasthttp.StatusServiceUnavailable, errorBody{Code: "no_bundles", Message: "this sidecar does not take bundle uploads"})
		return nil, "", false
	}
	if body = ctx.PostBody(); len(body) == 0 {
		writeError(ctx, fasthttp.StatusBadRequest, errorBody{Code: codeInvalid, Message: "body must be a bundle (.tar.gz)"})
		return nil, "", false
	}
	return body, fmt.Sprintf("upload from %s", ctx.RemoteAddr()), true
}

// putBundle activates the tar.gz body. A bundle that does not load is
// refused with every problem (400) and the active one keeps serving.
func (s *Server) putBundle(ctx *fasthttp.RequestCtx, _ []string) {
	body, source, ok := s.uploadedBundle(ctx)
	if !ok {
		return
	}
	act, err := s.bundles.Tarball(ctx, source, body)
	if err != nil && act == nil {
		bundleRefused(ctx, err)
		return
	}
	writeActivated(ctx, act, err)
}

// writeActivated answers 200 with the bundle that became active; err, a
// failure to keep it on disk, is reported with it as a warning.
func writeActivated(ctx *fasthttp.RequestCtx, act *activation.Activation, err error) {
	out := map[string]any{"active": act}
	if err != nil {
		out["warning"] = err.Error()
	}
	writeJSON(ctx, fasthttp.StatusOK, out)
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
