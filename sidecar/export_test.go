package sidecar

import "slices"

// OpenAPI is the OpenAPI 3 document of the API, as GET /v1/openapi.yaml
// serves it (for the tests of package sidecar_test).
func OpenAPI() []byte { return slices.Clone(openAPIDoc) }
