//go:build race

package when_test

// The race detector slows OPA's evaluation several times: the
// differential test draws fewer requests under it.
func init() { requestsPerKind = 50 }
