package sidecar

import (
	_ "embed"
	"slices"

	"github.com/valyala/fasthttp"
)

// openAPIDoc describes every endpoint of routeTable; openapi_test.go
// validates real requests and responses against it.
//
//go:embed openapi.yaml
var openAPIDoc []byte

// OpenAPI is the OpenAPI 3 document of the API, as GET /v1/openapi.yaml
// serves it.
func OpenAPI() []byte { return slices.Clone(openAPIDoc) }

func (s *Server) openAPI(ctx *fasthttp.RequestCtx, _ []string) {
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("application/yaml")
	ctx.SetBody(openAPIDoc)
}
