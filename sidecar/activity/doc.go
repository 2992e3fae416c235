// Package activity counts what the sidecar decided over the last hour, one
// bucket a minute, for the dashboard: carts priced, campaigns applied,
// rejections by reason and redemptions committed.
//
// A Recorder is a ring of 60 slots, one per minute; the slot of minute m is
// m mod 60 and carries the minute it counts. Recording is lock-free: a few
// atomic adds on the slot of the current minute. The first write of a new
// minute finds the slot still stamped with the minute an hour before, and
// resets it under a mutex (once a minute, not once a request).
//
// # Caveats
//
// Counts are of this process only, since it started: a restart empties the
// ring, and other nodes of a cluster keep their own.
//
// A Snapshot is not one atomic cut: a write that lands while it is read
// may be in one counter and not yet in another, and a slot reset in that
// instant reads as zero. The next snapshot sees it; the dashboard only
// draws.
//
// Minutes are wall-clock minutes of the Recorder's clock (UTC), not the
// context.now a request may carry.
package activity
