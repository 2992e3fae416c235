// Package sidecartest starts a real sidecar (fasthttp, the pricing engine,
// a loaded bundle) on an in-memory listener for tests of packages that
// talk to it over HTTP, like the examples.
package sidecartest
