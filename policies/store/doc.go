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
// # Reservations
//
// A reservation is a redemption record in the held state, committed by
// the same loop and the same take (reservations.go), so it holds whatever
// a redemption consumes; its release or expiry is a rollback's give, and
// committing it gives the hold back and takes the new pricing in one
// transaction of the loop. Its record and answer are kept in buckets of
// their own (reservations, reservation_answers), not the redemptions'.
// bHolds indexes standing holds by expiry; one goroutine (expiry.go)
// sleeps until the earliest and releases what is due, so expiry costs
// nothing per open hold while it waits.
//
// # What a fleet keeps
//
// The cluster keeps its books in this file too, through FleetTx (one file
// per concept: rights.go, transfers.go, codehints.go), never through bbolt
// itself: rights held and consumed, what the minter minted, transfers not
// yet acknowledged and those credited, the file's id, code-use hints.
// They are covered by the schema version (schema 3 adopted the cluster_*
// buckets older files have, records unchanged; schema 4 added the members
// a node saw, members.go, so a restarted node finds its fleet). During a commit the
// store's Limiter reads and writes rights through the same FleetTx, in
// the redemption's transaction: rights are taken with the redemption or
// not at all.
//
// The code log (replica.go) holds the codes made here in the store's own
// record format; CodeLog reads them typed and ApplyCodes stores another
// node's. How chunks travel between nodes is the cluster's business.
//
// # A file that is not whole
//
// Open inspects an existing file before writing to it (integrity.go) and
// refuses one that is empty, truncated or damaged with a FileError naming
// it, never starting a new store over a lost one. Check recomputes the
// counters from the ledger (check.go); Backup copies the file from one
// read transaction while commits go on (backup.go); Probe tells whether
// the file takes writes now (probe.go).
//
// # Wallets
//
// A loyalty wallet is a ledger (wallet*.go): its lots, each credit with
// what remains of it; its transactions, each change with the balance
// after it; and running sums as of a watermark (the wallet's last write).
// Indexes by expiry and by activation time make a read or a spend visit
// only the lots that matter then (those that became active since the
// watermark, those expired but not yet swept, those a spend takes), so
// they cost the same with ten lots or ten thousand. Every write first
// matures the sums to its time and expires, with a ledger entry each,
// the lots whose time has come. A redemption's points and the rewards it
// spends are written in its own transaction (walletcommit.go), with what
// it did recorded for its rollback. Schema 5 added the wallet_* buckets
// and moved the older point balances into one lot each.
//
// # Caveats
//
// A wallet read as of a time before its last write counts each lot with
// what remains of it now: the balance then is exact only when nothing was
// spent or expired in between (the ledger's balances are exact at every
// entry).
//
// Limits are checked by a policies.Limiter. Without one the store
// compares usage with the campaign's limits on this node; the cluster's
// Limiter spends escrowed rights instead. Usage always counts every
// redemption, limited or not, so GET /v1/campaigns/{id} shows it.
//
// The bbolt file never leaves the store: the kill switch's registers
// (Switches, PutSwitch) and what the fleet keeps (FleetTx) are read and
// written through its API.
package store
