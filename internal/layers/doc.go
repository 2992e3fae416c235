// Package layers holds the test that keeps the import graph the layer
// diagram of RATIONALE.md ("Project structure"): the pricing domain at the
// bottom, then the rule backends, the store and the cluster, then bundle
// loading and activation, then the HTTP sidecar, then cmd, which wires
// everything. A package may import only what its row allows; an edge that
// climbs fails the test, naming both ends.
package layers
