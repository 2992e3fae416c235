// Package stats is the vocabulary of the campaign statistics the dashboard
// and the experiments read: per-campaign per-day counters (applied,
// redemptions, discount, revenue, rejections by reason) and per-variant
// experiment counters, kept as per-node grow-only counters that a fleet
// sums; the HyperLogLog sketch that counts distinct customers across
// nodes; and the tests an experiment is read with (sample ratio mismatch,
// the confidence interval of a difference in conversion).
//
// # One mechanism
//
// Every count is a Row: a Key (campaign, UTC day, and for experiments the
// phase and variant) and Counts. A node only ever adds to its own rows
// (Keeper.Add), so each of its rows only grows; a peer keeps the latest
// copy of another node's row it was sent, merging copies field by field
// with max (a grow-only counter: merges commute and repeat harmlessly).
// The fleet's value of a key is the sum over nodes. Rollbacks are counted
// in their own grow-only fields (RolledBack...), never subtracted.
//
// # Caveats
//
// Days are UTC dates. Counts of evaluate are flushed in batches; a count
// made just before midnight may be flushed, and dated, just after it.
//
// This package imports nothing of the module: the domain, the store, the
// fleet and the sidecar all speak it.
package stats
