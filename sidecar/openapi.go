package sidecar

import (
	_ "embed"

	"github.com/valyala/fasthttp"
)

// openAPIDoc describes every endpoint of routeTable; openapi_test.go
// validates real requests and responses against it.
//
//go:embed openapi.yaml
var openAPIDoc []byte

func (s *Server) openAPI(ctx *fasthttp.RequestCtx, _ []string) {
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("application/yaml")
	ctx.SetBody(openAPIDoc)
}
