// Package cluster makes a fleet of promoedge sidecars share their limits
// over hashicorp/memberlist: cluster-wide limits.redemptions and
// limits.budget that are never exceeded, usage that every node reports
// cluster-wide, and a kill switch and bundle revision that reach every
// node within seconds.
//
// # Escrowed rights
//
// A limit of N is N rights. A node may redeem only by spending rights it
// holds, and holds them durably: in its own file, through the store's
// API for what a fleet keeps (store.FleetTx), changed in the same
// transaction as the redemption that spends them (Limiter is the store's
// policies.Limiter). So the hot path reads and writes only the local
// file; the network is used only when a node holds too few, and then only
// by the redemption that found too few (the engine asks Rights, its
// policies.Supplier) or in the background when a node runs low
// (prefetch).
// This is the escrow / bounded-counter technique (Balegas et al.,
// "Putting consistency back into eventual consistency", EuroSys 2015; the
// demarcation protocol of Barbará and Garcia-Molina).
//
// Rights move between nodes by transfer over memberlist's reliable
// (TCP) channel:
//
//  1. A node short of rights sends a request to the node that last
//     gossiped holding most of them (then to every live node).
//  2. The giver debits the rights and logs the outgoing transfer (id =
//     giver name / file id / sequence) in one transaction, then sends it,
//     and sends it again every RetryInterval until acknowledged, across
//     its own restarts (the outbox is on disk).
//  3. The receiver credits the rights and records the transfer id in one
//     transaction, then acknowledges. A copy whose id it has recorded is
//     acknowledged and not credited again.
//  4. The giver deletes the transfer on the acknowledgement.
//
// # Minting
//
// Rights are created by exactly one node, the minter (Config.Minter;
// promoedge serve makes the node started without --join the minter, or
// the node named by --cluster-minter). For each limit it records in its
// file how much it has minted, in the same transaction as the
// rights it creates: the first revision with a limit of N mints N; a
// revision that raises it to M mints M−N; a restart mints nothing again.
// Membership views play no part, so nodes that disagree about who is in
// the cluster cannot mint twice. A revision that lowers a limit burns
// what the minter still holds, down to the new limit at most.
//
// # Invariant
//
// For every limit, over all nodes, at every instant:
//
//	Σ held + Σ in flight + Σ consumed ≤ Σ minted ≤ limit
//
// where in flight is a transfer in a giver's outbox not yet credited by
// its receiver, and consumed is the rights spent by redemptions that
// stand (a rollback turns consumed rights back into held ones on the node
// that took them). Every step preserves it: minting adds to held and
// minted together; a redemption moves held to consumed in its own
// transaction and is refused when held is short; a debit moves held to in
// flight in one transaction; a credit moves in flight to held at most once
// (deduplicated by id). No step ever needs two nodes' files to agree, so
// no interleaving of redemptions, crashes or lost messages can create a
// right: the redemptions that stand number at most the limit.
//
// # Generated codes
//
// Each generated code's uses are a limit too (codes.go): they are minted
// with the code, in the transaction that writes it, on the node that
// generates it, and move between nodes like any other rights. The codes
// themselves are replicated: every node logs the codes it makes in
// numbered chunks, announces the last number in its memberlist metadata,
// and the others pull the chunks they miss in order (applied once per
// source file, recorded in the same transaction), so every node knows
// every code and can ask for its use. A code learnt from another node
// holds no use until one is moved here. The chunks' wire form is the
// cluster's (codechunk.go): the store hands the chunks of its log typed
// and stores those it is handed, in its own record format.
//
// # Per-period limits
//
// A campaign's limits.per_period is one limit per period (periods.go):
// its rights are keyed by the campaign and the period's Key, which holds
// the period's end. The minter mints the period running and the next one
// by its clock (Config.Now), each once (Minted); a redemption spends
// rights of the period its request's context.now falls in, recorded in
// the redemption so a rollback gives back to that period. Transfers,
// gossip (a usage register per period) and the invariant are those of
// any limit. The minter also mints, once, a period first asked for (a
// checkout's context.now behind or ahead of its clock). PeriodGrace after
// a period ends (by the earlier of the node's clock and the latest
// context.now it committed) every node deletes its rights, minted record
// and counters (store.PrunePeriods) and forgets it in memory, having
// recorded the cutoff first: nothing counts in, and the minter never
// mints, a period that ended before it.
//
// # Usage and switches
//
// Cluster-wide usage is a state-based CRDT: each node owns one register
// per campaign (its own redemptions and spend, the rights it holds, a
// version); a merge keeps the higher version per node; the usage is the
// sum. Changed registers go out as memberlist broadcasts every
// PublishInterval, and the whole table in push/pull (LocalState /
// MergeRemoteState). The kill switch is a last-writer-wins register per
// campaign (stamp, then node name), kept in the store's file so it
// survives restarts. Memberlist does not relay user broadcasts, so a node
// queues every register that is new to it again, as serf does. The bundle
// revision and version are in memberlist's node metadata.
//
// # Loyalty wallets
//
// A wallet's points are lots in the file of the node that credited them
// (policies/store). A node spends only lots in its own file, in the
// redemption's transaction. When a redemption's rewards find too few here,
// the engine asks Rights (Supply, with the reward under
// policies.RewardKey), which asks every live peer to move what it holds of
// that wallet (wallets.go):
//
//   - What moves is points with their terms: a move carries lot fragments
//     (points, earned, active and expiry times, source). The giver takes
//     them from its lots (expiring first; a ledger entry of kind "move")
//     and logs the move in its outbox in one transaction (store.MoveOut),
//     then sends it, and again every RetryInterval until acknowledged,
//     across its own restarts. The receiver credits them as lots with the
//     same terms and records the move id in one transaction (MoveIn), then
//     acknowledges; a copy whose id is recorded is acknowledged and not
//     credited again. Expiry and the ledger stay exact because lots, not
//     bare counts, move. A moved lot counts as earned where it was earned.
//   - A peer that holds none says so (with what it has in flight); when
//     every peer has said none, with none in flight, twice a retry apart,
//     the redemption gives up at once, else at AcquireTimeout, and the cart
//     is priced again with the reward rejected insufficient_points.
//
// Invariant, for every wallet at every instant:
//
//	Σ remaining over all files + Σ in flight + Σ spent + Σ expired = Σ credited − Σ taken back
//
// Every step keeps it: a credit and a spend are local transactions; a move
// moves remaining to in flight in the giver's transaction and in flight to
// remaining at most once at the receiver. No step needs two files to
// agree, so no interleaving, crash or partition spends a point twice.
// While the nodes are connected a customer can spend the whole balance on
// whichever node the checkout reaches; a partition leaves the points on
// the far side unusable until it heals.
//
// A claim outside checkout (POST /v1/wallets/{customer}/rewards) that
// finds too few points or units here asks Supply the same way, and so
// does an operator's debit (POST /v1/wallets/{customer}/adjust, negative
// points; under policies.DebitKey): the engine tries, asks Supply on the
// shortfall, and tries again (policies.Engine.supplied). A debit past
// what the reachable nodes hold is refused and debits nothing; the points
// moved here for it stay here, counted by the invariant like any move.
//
// A reward's stock is a limit like a campaign's redemptions
// (policies.RedeemedReward.StockLimit): the minter mints its units as
// rights under policies.RewardKey, a commit or a claim spends one held
// here in its own transaction, a rollback gives it back where it was
// spent, and a node short of units asks for them as for any limit's
// rights. So the stock is never exceeded across the fleet, and all of it
// can be had on one node.
//
// A wallet read (GET /v1/wallets) adds up the shares: it asks every live
// peer for its share as of the same time (walletview.go) and answers
// partial when one does not answer in time.
//
// Pricing (input.wallet, when: loyalty) adds the other nodes' shares as
// they last told them (walletshares.go): a wallet transaction lists its
// customer in the file (store.TakeWalletChanges), and the publish tick
// broadcasts this node's share of each listed wallet.
//
// Caveats: a told share is as of when it was read; a rollback takes back what is left of its lots where it runs
// (points that moved away become debt there); evaluate's out_of_stock
// reads the units claimed on this node (redeem decides).
//
// # Gift cards
//
// A gift card's balance is a purse like a wallet: it lives in the file of
// the node that issued the card (policies/store, giftcards.go) and is
// spent only there, in the redemption's transaction. The moves above carry
// it (store.WalletMove with Card set, under the purse key
// store.CardPurse(code), which no customer id can equal since those have
// no control characters): a redeem on a node that holds too little of
// the card prices it with the others' shares as they last told them (as
// paying what is left when none was told), its commit reports the card short
// (policies.GiftCardKey), and Rights.Supply asks every live peer to move
// what it holds (giftcards.go); the giver debits its balance and logs the
// move in one transaction, the receiver credits it at most once. If not
// enough comes, the engine prices the cart again on what the node holds
// (Redemption.SettleCards). The wallets' invariant holds for every card:
// Σ balances over all files + Σ in flight + Σ spent = Σ issued + Σ
// topped up − Σ removed, step by step, so no interleaving, crash or
// partition spends a balance twice. A card's shares are told and read
// like a wallet's (walletshares.go, walletview.go, under its purse), so
// evaluate and GET /v1/codes on a node holding none of it see the whole
// balance.
//
// An operator's removal (POST /v1/codes/{code}/balance, a negative
// amount) that finds too little of the card here, or none, reports the
// card short (policies.GiftCardKey) and Supply moves the rest here as for
// a redeem; the removal is then checked again, in its own transaction,
// against what this node holds. So it is refused (balance_below_zero,
// nothing removed) only when the reachable nodes hold too little, and by
// the invariant no interleaving of removals and redeems takes more than
// the card holds. Idempotency keys of balance changes, wallet
// adjustments and reward claims are kept in the file of the node that
// served them, and claimed from the others (# Referrals: a key claim's
// refusal carries the stored answer, which the asker adopts and replays),
// so the same key on any connected node is one change.
//
// # Referrals
//
// A referral (SPEC §9) needs two facts no node holds alone: that the
// friend is new and was never referred, and which code is the
// referrer's. Every node logs its customers' facts as marks
// (store.Mark: a first redemption, a referral, its rollback) in its code
// log, in the redemption's transaction, and the others pull them with the
// codes, so every file holds what the fleet knew moments ago and keeps it
// through crashes and partitions. And before a referral is committed, or
// a referrer's code made, the node claims it from every other live node
// (registry.go: kClaim, kClaimed, kUnclaim): each grants it only when its
// records do not settle it and no other node's claim holds it, for
// ClaimTTL, by which time the claimer's mark is in the others' records.
// Invariant: while the nodes are connected, two claims on one name are
// never both granted (each node grants one at a time, and a claim needs
// every node), so a friend is referred once. Claims that meet are given
// back (a release carries the claim's id, so a late one cannot undo a
// later claim) and tried again after a random pause. A node that does
// not answer within AcquireTimeout refuses the claim; a node memberlist
// declared dead is not asked, so in a partition each side refers from
// its own records (docs/referrals.md). A refusal carries what the
// refusing node's records hold of the name (the referrer's code; an
// idempotency key's stored answer), and a refusal without one (a claim
// held for another node) waits for the other answers, one of which may
// carry it. The same claims keep an admin change's idempotency key to
// one application in the fleet (policies.ClaimKey, kinds in
// claimRecords).
//
// # Reservations
//
// A reservation (SPEC §10) is a redemption committed in the held state
// in the file of the node that made it (policies/store): it consumed
// rights there like any redemption. Its id names that node (the maker,
// policies.ReservationNode). A commit, release or read of it on another
// node is carried to the maker over memberlist's reliable channel
// (reservations.go: kReserveAsk with the HTTP body, kReserveAnswer with
// the maker's HTTP answer); the maker runs it as if the client had sent
// it there, and the first node answers with it. A forwarded request is
// never forwarded again.
//
// Invariant: a reservation's state changes only in its maker's file, in
// one transaction each (held → committed, released or expired), so its
// holds are spent at most once and given back at most once, whichever
// node the client reaches and however often it retries (a commit is
// idempotent by reservation as well as by key). When the maker is down
// or does not answer within AcquireTimeout, the request is refused
// (ErrUnreachable, 503) and nothing is written anywhere; the holds wait
// in the maker's file, as its rights do, and those whose expiry passed
// are released within a second of its restart. A request that timed out
// may still have run on the maker: retrying it is safe.
//
// Caveat: a node that leaves for good with reservations open (Leave hands
// off the rights it holds, not those its holds consumed, so that a
// rolling restart keeps every checkout's hold) takes them with it: they
// are released when its file next opens, and until then their units are
// out of the limit, as rights in a lost file are. Drain a node's
// reservations (let them expire) before scaling it away for good.
//
// # Failure cases
//
//   - A node crashes: the rights it held are in its file and come back
//     when it restarts on the same data; until then they are unusable.
//     It finds its fleet again even when restarted without Join (the
//     seed): the file remembers the members it saw (members.go,
//     store.FleetTx.Members), which it joins at start and, while alone,
//     every ReconnectInterval. Without that, the others, which may not
//     have noticed it was gone, would not talk to it before a push/pull.
//     Transfers it had debited are resent from its outbox when it is back.
//     Its redemptions are never lost: they commit with the rights.
//   - A node leaves gracefully (Leave: promoedge serve stopping on
//     SIGTERM): it first gives every right it holds to the live members,
//     by the same durable transfers, and waits for their acknowledgements
//     (those not acknowledged in time are resent when it is back), so a
//     node scaled away takes no part of a limit with it.
//   - A node's file is lost for good: its held rights and the transfers in
//     its outbox are lost — the limit can no longer be used in full, it is
//     never exceeded. (A new file has a new id, so its transfer ids cannot
//     collide with the old ones at receivers.)
//   - A receiver crashes after crediting and before acknowledging: the
//     giver resends, the receiver finds the id recorded and acknowledges.
//   - A partition: each side spends what it holds and cannot get more from
//     the other; the rest of the limit waits for the heal. Memberlist
//     stops gossiping to nodes dead for GossipToTheDeadTime, so each node
//     rejoins dead members every ReconnectInterval (serf's reconnect
//     loop); the halves merge soon after the network heals.
//   - The minter is down: limits that already exist keep moving between
//     the others; a new or raised limit is minted when it is back.
//   - A redemption that found too few rights waits at most AcquireTimeout
//     for them and is then rejected (limit_exhausted or budget_exhausted):
//     a limit exhausted everywhere is refused after two rounds of asking
//     every live node. A right that arrives at a node after its waiting
//     redemptions gave up is spent by the next one.
//
// # Caveats
//
//   - Two minters (two nodes started without --join and no
//     --cluster-minter, joined later) each mint the limit: configure
//     --cluster-minter on every node of a cluster that is not started
//     from one seed. Each node announces whether it mints in its
//     metadata, and every node logs an error when it sees two (Minters).
//   - per_customer is exact per node only: a customer whose redemptions
//     reach k nodes can get up to k × per_customer (docs/fleet.md).
//   - A referral is exact while the nodes are connected; the two sides
//     of a partition may each refer a friend new to both (# Referrals).
//   - Codes generated on two nodes before either learnt the other's can
//     clash: each node keeps its own (a warning is logged). A code's uses
//     are keyed by campaign and code, so a clash between campaigns cannot
//     move one code's use to the other; within one campaign the string is
//     then simply two codes. Leave hands off received code uses, not those
//     of codes the node made.
//   - Evaluate learns that a code was used elsewhere from a broadcast hint
//     (codeuse.go): until it arrives (a gossip round), or if it is lost,
//     evaluate may offer a code that redeem then rejects with code_used.
//     Redeem never reads hints.
//   - The stored redemption does not record which limits it took, so a
//     rollback gives back one right of each limit the node has consumed
//     of: a redemption made before its campaign had a limit, rolled back
//     after the limit was added, gives back a right it never took.
//   - Lowering a limit below what the other nodes hold or have consumed
//     is not enforced until they spend what they hold.
//   - Usage versions start from the wall clock at start; a node whose
//     clock went back across a restart is ignored by the others until it
//     catches up (its usage reads low in evaluate; redeem is unaffected).
//   - Transfer ids are kept forever in the file's inbox (tens of bytes
//     each).
//   - Webhook notices are not shared: each node delivers the outbox of
//     its own file (the notices it committed), and a node that leaves
//     keeps its pending ones until it runs again (docs/webhooks.md). A
//     node's campaign.limit_exhausted is decided from its own usage.
//   - The members remembered are every node seen since the file began,
//     at its last address; one scaled away for good is tried while the
//     node is alone, as the reconnect loop tries dead members.
//
// # Parts
//
// New builds a node in one step around the store it is given: Node is
// the membership (memberlist, metadata, routing what arrives, leaving);
// Limiter spends rights inside commits and is made first, for the
// store; Rights moves them between nodes and mints them; Usage is the
// usage CRDT; CodeHints the code-use hints; codeReplica the code log
// replication; Switchboard the kill switches. cmd/promoedge wires the
// Limiter into the store and the parts into the engine.
package cluster
