// Package activation keeps the active policy bundle: it takes new bundles
// from an admin upload, a watched path or a polled bundle server, builds
// each into a policies.Revision off to the side (compiler, prepared query,
// indexes), and swaps it in with one atomic pointer store, so a request
// sees the old bundle or the new one, never a mix, and never waits for a
// bundle to compile.
//
// A bundle that does not load (bad Rego, invalid campaigns, a missing or
// wrong signature) is refused with every problem and the last good one
// keeps serving. The last good bundle that arrived as a tarball is kept on
// disk, so a restart with an unreachable bundle server serves it.
//
// # Caveats
//
// Only tarball bundles (uploads, bundle servers) are kept as the last good
// one; a bundle directory given on the command line is read from where it
// is.
//
// A shadow bundle (shadow.go) prices every evaluate answer it is offered
// again, on one worker behind a bounded queue, and counts what differs; it
// is this process's alone, in memory, and a full queue drops answers
// rather than slow the one who offers them.
package activation
