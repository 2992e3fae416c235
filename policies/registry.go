package policies

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Errors of a Registry.
var (
	// ErrClaimed: another node holds the claim, or its records settle it
	// already (it knows the friend; the referrer has a code there; the
	// idempotency key was used there).
	ErrClaimed = errors.New("claimed on another node of the fleet")
	// ErrUnconfirmed: a node of the fleet did not answer in time, so
	// what its records say is not known.
	ErrUnconfirmed = errors.New("not confirmed by every node of the fleet")
)

// Registry keeps a fleet to one of a thing while its nodes are
// connected: one referral of each friend and one code of each referrer
// (SPEC §9), one application of each admin change's idempotency key.
// Before a node commits such a thing it claims its name from every other
// live node, which agrees only when its own records do not settle it
// and no other node holds a claim on it. The cluster implements it; a
// lone sidecar has none, and its store decides alone.
type Registry interface {
	// Claim takes name (a ClaimName's String) for this node for a while:
	// nil, ErrClaimed or ErrUnconfirmed. With ErrClaimed, record is what
	// the refusing node's records hold of it, when they do (a referrer's
	// code, a key's stored answer). A node may claim again what it holds.
	Claim(ctx context.Context, name string) (record []byte, err error)
	// Release gives back a claim this node made and did not use.
	Release(name string)
}

// ClaimKind is what a claim is on.
type ClaimKind string

// Kinds of claims.
const (
	ClaimFriend   ClaimKind = "friend"   // the referral of customer A
	ClaimReferrer ClaimKind = "referrer" // the code of referrer B in programme A
	ClaimKey      ClaimKind = "key"      // idempotency key B of an admin change of scope A (KeyedStore)
)

// ClaimName names a claim in a Registry.
type ClaimName struct {
	Kind ClaimKind
	A, B string
}

// FriendClaim names the referral of customer.
func FriendClaim(customer string) string { return ClaimName{ClaimFriend, customer, ""}.String() }

// ReferrerClaim names the making of referrer's code of campaign.
func ReferrerClaim(campaign, referrer string) string {
	return ClaimName{ClaimReferrer, campaign, referrer}.String()
}

func (n ClaimName) String() string { return string(n.Kind) + "\x00" + n.A + "\x00" + n.B }

// ParseClaim reads a claim's name back.
func ParseClaim(name string) (ClaimName, bool) {
	kind, rest, _ := strings.Cut(name, "\x00")
	a, b, _ := strings.Cut(rest, "\x00")
	n := ClaimName{ClaimKind(kind), a, b}
	switch n.Kind {
	case ClaimFriend:
		return n, a != "" && b == ""
	case ClaimReferrer, ClaimKey:
		return n, a != "" && b != ""
	}
	return n, false
}

// KeyedStore keeps the answers of admin changes by idempotency key
// (scopes: CardKeyScope, AdjustKeyScope, ClaimKeyScope), as stored
// records a fleet's nodes can hand to one another; the bbolt store
// implements it.
type KeyedStore interface {
	// Keyed reads the record of key in scope.
	Keyed(ctx context.Context, scope, key string) (record []byte, found bool, err error)
	// AdoptKeyed stores another node's record of key, unless this node
	// has one: the change it answers is then replayed here, and applied
	// nowhere again.
	AdoptKeyed(ctx context.Context, scope, key string, record []byte) error
}

// Scopes of idempotency keys.
const (
	AdjustKeyScope = "adjust" // POST /v1/wallets/{customer}/adjust
	ClaimKeyScope  = "claim"  // POST /v1/wallets/{customer}/rewards
)

// CardKeyScope is the scope of a gift card's balance changes' keys.
func CardKeyScope(code string) string { return "card:" + code }

// onceInFleet makes an admin change under an idempotency key happen on
// one node of a fleet: a key this node knows is replayed by its store; a
// key another node used is adopted from its records, so the store here
// replays that answer; a key no node knows is claimed for this node.
// done gives the claim back when the change failed, so a retry elsewhere
// is not held up. A key being applied elsewhere at this moment, or that
// a node could not confirm, is ErrTryAgain.
func (e *Engine) onceInFleet(ctx context.Context, scope, key string) (done func(error), err error) {
	none := func(error) {}
	if e.registry == nil || e.keyed == nil {
		return none, nil
	}
	if _, found, err := e.keyed.Keyed(ctx, scope, key); err != nil || found {
		return none, err
	}
	name := ClaimName{ClaimKey, scope, key}.String()
	record, err := e.registry.Claim(ctx, name)
	switch {
	case err == nil:
		return func(err error) {
			if err != nil {
				e.registry.Release(name)
			}
		}, nil
	case errors.Is(err, ErrClaimed) && len(record) > 0:
		return none, e.keyed.AdoptKeyed(ctx, scope, key, record)
	case errors.Is(err, ErrClaimed), errors.Is(err, ErrUnconfirmed):
		return none, fmt.Errorf("%w: idempotency key %q: %w", ErrTryAgain, key, err)
	}
	return none, err
}

// once runs change, an admin change under key, once in a fleet
// (onceInFleet).
func (e *Engine) once(ctx context.Context, scope, key string, change func() error) error {
	done, err := e.onceInFleet(ctx, scope, key)
	if err != nil {
		return err
	}
	err = change()
	done(err)
	return err
}
