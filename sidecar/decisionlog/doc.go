// Package decisionlog writes one JSON line per pricing decision of the
// sidecar — each evaluate (sampled), redeem and rollback — for audit and
// debugging: what applied with what amount, what was rejected and why, the
// totals, the bundle revision and how long it took.
//
// Lines are made by log/slog's JSON handler and handed to a bounded queue;
// one goroutine writes them through a buffer that it flushes every
// Config.FlushInterval and on Close. A request never waits for the disk:
// when the queue is full the line is dropped and Config.Dropped is called
// (the sidecar counts it in promoedge_decision_log_dropped_total).
//
// # Caveats
//
// A customer id is logged as a keyed hash (HMAC-SHA256, truncated to 64
// bits) unless Config.CustomerIDs: the same customer has the same hash
// while the key stays the same, so lines can be correlated, not read back.
// With no Config.Salt the key is random per process, and hashes of two
// runs do not match. Nothing else about the customer or the cart (items,
// attributes, codes) is logged. Lines still queued when the process is
// killed are lost; Close writes them.
package decisionlog
