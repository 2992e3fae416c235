// Package bundletest writes synthetic bundles for benchmarks and tests: the
// performance workload of scripts/gen-bundle.py (N campaigns with
// small Rego rules and a 20-line cart), in Go, so that benchmarks need no
// Python and no files outside their temporary directory.
package bundletest
