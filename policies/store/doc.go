// Package store keeps promoedge's durable state in one bbolt file:
// redemptions, idempotency keys, per-campaign and per-customer usage,
// generated codes, loyalty points, the ledger and the campaigns' kill
// switches. It implements policies.Committer (redeem and rollback),
// policies.Usage (what evaluate reads), policies.Ledger, policies.CodeBook
// and policies.Codes; its Switchboard is a lone sidecar's
// policies.Switches (a cluster keeps its own over the same records).
//
// Redemptions are group-committed: concurrent redeems queue, and one
// goroutine applies every queued redemption in one read-write transaction,
// so one fsync makes a whole batch durable. Each redemption's limits are
// checked before any of its writes, so a redemption whose limits ran out is
// skipped without touching the others (its rejection travels in its own
// result, never as the transaction's error). Nothing is acknowledged
// before its transaction has committed to disk.
//
// # Caveats
//
// Limits are checked by a Counter. The Local counter compares usage with
// the campaign's limits on this node; the cluster replaces it with escrowed
// rights. Usage always counts every redemption, limited or not, so GET
// /v1/campaigns/{id} shows it.
package store
