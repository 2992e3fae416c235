package policies

import (
	"context"
	"sync/atomic"
	"time"
)

// Config wires an Engine.
type Config struct {
	// Usage reads how much of their limits campaigns have used. Nil means
	// no campaign has used anything (no redemption store is attached).
	Usage Usage
	// Codes looks up generated (unique) codes; nil means there are none.
	Codes Codes
	// CodeHints says which generated codes were used up elsewhere in a
	// fleet; evaluate consults it, redeem never does. Nil: none.
	CodeHints CodeHints
	// Committer makes redemptions durable; nil refuses redeem with
	// ErrNoStore.
	Committer Committer
	// Supplier brings the rights a commit found too few of here (a
	// fleet's escrowed rights); nil: a limit exhausted here is exhausted.
	Supplier Supplier
	// Wallets keeps the loyalty wallets; nil: rules see no input.wallet
	// and rewards are rejected insufficient_points.
	Wallets WalletStore
	// WalletPool reads the other nodes' shares of a wallet for GET
	// /v1/wallets; nil: this node's file holds every wallet whole.
	WalletPool WalletPool
	// GiftCards reads gift card balances; nil: presented cards are
	// code_invalid.
	GiftCards GiftCardStore
	// Referrals keeps referral codes; nil: referral codes are
	// code_invalid and POST /v1/referrals answers ErrNoStore.
	Referrals ReferralStore
	// Registry keeps a fleet to one referral of each friend and one code
	// of each referrer (referral.go); nil: a lone sidecar's store decides.
	Registry Registry
	// Keyed reads and adopts the stored answers of admin changes by
	// idempotency key, so that a fleet applies each key once (registry.go).
	Keyed KeyedStore
	// Events keeps events and the triggers they start (SPEC §13); nil:
	// events only earn points (through Wallets) and start nothing.
	Events EventStore
	// Peers spreads trigger cancellations across a fleet; nil: alone.
	Peers TriggerPeers
	// Switches is the run-time kill switch; nil means none.
	Switches Switches
	// Active holds the revision in force; nil gives the engine its own.
	// Share one with what follows the engine's revision (a fleet
	// announces and mints it), so either can be built first.
	Active *Active
	// Now is the clock for requests without context.now; nil is time.Now.
	Now func() time.Time
	// Node is this node's name in a fleet, written into the ids of the
	// reservations it makes so that another node knows where they are;
	// "" alone.
	Node string
}

// Codes finds the campaign of a generated code and whether it is used up.
type Codes interface {
	LookupCode(ctx context.Context, code string) (campaign string, reason Reason, found bool, err error)
}

// CodeHints is what a fleet has heard of generated codes used on other
// nodes. It is a hint for evaluate only: whether a redemption may use a
// code is decided by the Committer, so a late or lost hint can never let
// a code be used twice, and a stale one can never refuse a redemption.
type CodeHints interface {
	UsedElsewhere(ctx context.Context, campaign, code string) bool
}

// Active is the revision in force: the engine prices with it, Swap
// changes it, and others may read it (Load) as it changes.
type Active struct{ p atomic.Pointer[Revision] }

// Load is the active revision, nil before the first Swap.
func (a *Active) Load() *Revision { return a.p.Load() }

// Swap makes r active and returns the previous one.
func (a *Active) Swap(r *Revision) *Revision { return a.p.Swap(r) }

// Engine prices carts against the active Revision.
type Engine struct {
	rev       *Active
	usage     Usage
	codes     Codes
	hints     CodeHints
	committer Committer
	supplier  Supplier
	switches  Switches
	wallets   WalletStore
	pool      WalletPool
	giftCards GiftCardStore
	referrals ReferralStore
	registry  Registry
	keyed     KeyedStore
	events    EventStore
	peers     TriggerPeers
	wake      chan struct{} // the trigger scheduler's (scheduler.go)
	now       func() time.Time
	zones     zoneCache // customers' time zones, loaded once each
	node      string    // Config.Node
}

// NewEngine returns an Engine with no active revision; Swap one in.
func NewEngine(cfg Config) *Engine {
	e := &Engine{rev: cfg.Active, usage: cfg.Usage, codes: cfg.Codes, hints: cfg.CodeHints, committer: cfg.Committer, supplier: cfg.Supplier, switches: cfg.Switches, wallets: cfg.Wallets, pool: cfg.WalletPool, giftCards: cfg.GiftCards, referrals: cfg.Referrals, registry: cfg.Registry, keyed: cfg.Keyed, now: cfg.Now,
		events: cfg.Events, peers: cfg.Peers, wake: make(chan struct{}, 1), node: cfg.Node}
	if e.now == nil {
		e.now = time.Now
	}
	if e.rev == nil {
		e.rev = new(Active)
	}
	return e
}

// Swap makes r the active revision and returns the previous one. Requests
// in flight finish on the revision they started with.
func (e *Engine) Swap(r *Revision) *Revision { return e.rev.Swap(r) }

// Revision returns the active revision, nil before the first Swap.
func (e *Engine) Revision() *Revision { return e.rev.Load() }

// Now is the engine's clock.
func (e *Engine) Now() time.Time { return e.now() }

// Decode parses a request body against the engine's clock.
func (e *Engine) Decode(body []byte) (*Request, error) {
	return decodeRequest(body, e.now(), &e.zones)
}

// Evaluate prices req. It changes nothing: limits are read, not reserved.
func (e *Engine) Evaluate(ctx context.Context, req *Request) (*Decision, error) {
	return e.EvaluateOn(ctx, e.rev.Load(), req)
}

// EvaluateOn prices req on rev instead of the active revision: a shadow
// bundle's answer to the same request (policies/activation). Like
// Evaluate it changes nothing: limits, codes and wallets are read, never
// reserved or counted.
func (e *Engine) EvaluateOn(ctx context.Context, rev *Revision, req *Request) (*Decision, error) {
	if rev == nil {
		return nil, ErrNoRevision
	}
	return e.evaluateOn(ctx, rev, req, nil, e.hints, false, heldBy{})
}

// evaluateHeld prices for a commit on the active revision (no hints: the
// commit decides), with what a reservation being committed holds counted
// as free.
func (e *Engine) evaluateHeld(ctx context.Context, req *Request, forced map[string]Reason, held heldBy) (*Decision, error) {
	rev := e.rev.Load()
	if rev == nil {
		return nil, ErrNoRevision
	}
	return e.evaluateOn(ctx, rev, req, forced, nil, true, held)
}

// evaluateOn runs the pipeline on rev; forced rejects campaigns that lost
// a limit race at commit, as if their limits had been read as used up;
// hints (nil when redeeming) mark codes used elsewhere.
func (e *Engine) evaluateOn(ctx context.Context, rev *Revision, req *Request, forced map[string]Reason, hints CodeHints, redeeming bool, held heldBy) (*Decision, error) {
	ev := newEvaluation(rev, req, e.usage)
	defer ev.release()
	ev.codes, ev.hints, ev.forced, ev.kill, ev.wallets, ev.pool = e.codes, hints, forced, e.switches, e.wallets, e.pool
	ev.giftCards, ev.referrals, ev.ctx = e.giftCards, e.referrals, ctx
	ev.pooled = redeeming && e.supplier != nil // a fleet may bring wallet points: the commit decides
	ev.held = held
	for _, st := range pipeline {
		if err := st.run(ctx, ev); err != nil {
			return nil, err
		}
	}
	return ev.dec, nil
}
