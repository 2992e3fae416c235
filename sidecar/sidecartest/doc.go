// Package sidecartest starts a real sidecar (fasthttp, the pricing engine,
// a loaded bundle) for tests of packages that talk to it over HTTP, like
// the examples and the Go client: on an in-memory listener (Start), or on
// any listener (Serve), over a full lone-sidecar stack of bbolt store,
// kill switch and bundle activator (ExampleStack).
package sidecartest
