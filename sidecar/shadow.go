package sidecar

import (
	"errors"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies/activation"
	"github.com/promoedge/promoedge/policies/bundle"
)

// Shadow bundles (docs/api.md#shadow-bundles): a candidate bundle that
// prices every evaluate again off the answer's path, its report, and its
// promotion to the active bundle.

// putBundles is PUT /v1/bundles: an activation, or with ?shadow=true a
// shadow bundle; each is its own admin action in the audit log.
func (s *Server) putBundles() handler {
	activate := s.admin(actionBundle, s.putBundle)
	shadow := s.admin(actionShadowLoad, s.putShadow)
	return func(ctx *fasthttp.RequestCtx, params []string) {
		switch v := string(ctx.QueryArgs().Peek("shadow")); v {
		case "", "false":
			activate(ctx, params)
		case "true":
			shadow(ctx, params)
		default:
			writeError(ctx, fasthttp.StatusBadRequest, errorBody{Code: codeInvalid, Field: "shadow", Message: "shadow must be true or false, got " + v})
		}
	}
}

// putShadow loads the tar.gz body as the shadow bundle. One that does not
// load is refused (400) with every problem, and nothing changes.
func (s *Server) putShadow(ctx *fasthttp.RequestCtx, _ []string) {
	body, source, ok := s.uploadedBundle(ctx)
	if !ok {
		return
	}
	rep, err := s.bundles.LoadShadow(ctx, source, body)
	if err != nil {
		bundleRefused(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, rep)
}

// bundleRefused answers 400 for a bundle that did not load, with its
// problems as details.
func bundleRefused(ctx *fasthttp.RequestCtx, err error) {
	var le *bundle.LoadError
	if !errors.As(err, &le) {
		writeError(ctx, fasthttp.StatusBadRequest, errorBody{Code: "bundle_refused", Message: err.Error()})
		return
	}
	details := make([]string, len(le.Problems))
	for i, p := range le.Problems {
		details[i] = p.String()
	}
	writeError(ctx, fasthttp.StatusBadRequest, errorBody{Code: "bundle_refused", Message: le.Error(), Details: details})
}

// getShadow is GET /v1/bundles/shadow: what the shadow answered
// differently so far; 404 no_shadow when none is loaded.
func (s *Server) getShadow(ctx *fasthttp.RequestCtx, _ []string) {
	if s.bundles == nil {
		noShadow(ctx)
		return
	}
	rep, ok := s.bundles.Shadow()
	if !ok {
		noShadow(ctx)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, rep)
}

// deleteShadow stops the shadow bundle and answers its last report.
func (s *Server) deleteShadow(ctx *fasthttp.RequestCtx, _ []string) {
	if s.bundles == nil {
		noShadow(ctx)
		return
	}
	rep, err := s.bundles.DropShadow()
	if err != nil {
		noShadow(ctx)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, rep)
}

// promoteShadow makes the shadow bundle active; 409 no_shadow without one.
func (s *Server) promoteShadow(ctx *fasthttp.RequestCtx, _ []string) {
	if s.bundles == nil {
		writeError(ctx, fasthttp.StatusConflict, errorBody{Code: "no_shadow", Message: activation.ErrNoShadow.Error()})
		return
	}
	act, err := s.bundles.PromoteShadow()
	switch {
	case errors.Is(err, activation.ErrNoShadow):
		writeError(ctx, fasthttp.StatusConflict, errorBody{Code: "no_shadow", Message: err.Error() + ": load one with PUT /v1/bundles?shadow=true"})
	case err != nil && act == nil:
		fail(ctx, err)
	default:
		writeActivated(ctx, act, err)
	}
}

func noShadow(ctx *fasthttp.RequestCtx) {
	writeError(ctx, fasthttp.StatusNotFound, errorBody{Code: "no_shadow", Message: activation.ErrNoShadow.Error()})
}
