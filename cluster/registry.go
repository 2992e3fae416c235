package cluster

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// A fleet refers each friend once and gives each referrer one code
// (doc.go, # Referrals) in two parts. Every node logs the facts of its
// customers (first redemption, referral, a referral's rollback) as marks
// in its code log, which the others pull like codes (store.Mark), so each
// node's records hold what the whole fleet knew moments ago, and keep it
// through a crash or a partition. And before a referral is committed, or
// a referrer's code made, the node claims it from every other live node
// (kClaim): each agrees only when its records do not settle it already
// and no other node holds the claim. So while the nodes are connected
// two nodes cannot both refer one friend, however close the redemptions.

// ClaimTTL is how long a granted claim holds: long enough for the
// claimer's commit and its mark to reach the other nodes' records.
const ClaimTTL = 30 * time.Second

// Registry implements policies.Registry for this node.
type Registry struct {
	*base
	codes   *codeReplica
	mu      sync.Mutex
	held    map[string]claimHold // claim name -> the claim holding it
	pending replies              // claim id -> its answers
}

var _ policies.Registry = (*Registry)(nil)

// claimHold is a claim granted to node until a time.
type claimHold struct {
	node, id string
	until    time.Time
}

func newRegistry(b *base, codes *codeReplica) *Registry {
	return &Registry{base: b, codes: codes, held: map[string]claimHold{}}
}

// Registry is the node's policies.Registry.
func (n *Node) Registry() *Registry { return n.registry }

// Answers to a claim (kClaimed's amount).
const (
	claimRefused = 0 // the records settle it
	claimGranted = 1
	claimBusy    = 2 // another node's claim holds it
)

// claimTries is how often a claim that met another node's claim at the
// same moment is tried again: both give theirs back, so one of them,
// after a random pause, finds the way free.
const claimTries = 4

// Claim implements policies.Registry: it holds name here, then asks every
// other live node and waits for all their answers, at most
// AcquireTimeout. A refusal, or a node that does not answer, gives back
// what the others granted; a claim that met another at the same moment
// is tried again, after a random pause, a few times.
func (g *Registry) Claim(ctx context.Context, name string) ([]byte, error) {
	n, ok := policies.ParseClaim(name)
	if !ok {
		return nil, fmt.Errorf("cluster: %q names no claim", name)
	}
	for try := 1; ; try++ {
		answer, record, err := g.claimOnce(ctx, n, name)
		if answer != claimBusy || try == claimTries {
			return record, err
		}
		pause := time.Duration(try) * time.Duration(5+rand.IntN(20)) * time.Millisecond
		select {
		case <-time.After(pause):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// claimOnce is one try of Claim: the answer that decided it, and the
// refusing node's record.
func (g *Registry) claimOnce(ctx context.Context, n policies.ClaimName, name string) (int64, []byte, error) {
	id := g.pending.newID(g.cfg.Name)
	// The first refusal, until one with a record comes. A claim another
	// node holds here is a refusal, but the others are asked still: the
	// holder's records may settle it.
	refused := int64(claimGranted)
	if !g.hold(name, g.cfg.Name, id) {
		refused = claimBusy
	}
	peers := g.others()
	if len(peers) == 0 {
		if refused != claimGranted {
			return refused, nil, policies.ErrClaimed
		}
		return claimGranted, nil, nil
	}
	answers := g.pending.open(id, len(peers))
	defer g.pending.close(id)
	g.sendTo(peers, message{kind: kClaim, node: g.cfg.Name, id: id, campaign: name})
	timer := time.NewTimer(g.cfg.AcquireTimeout)
	defer timer.Stop()
	for waiting := len(peers); waiting > 0; waiting-- {
		select {
		case m := <-answers:
			switch {
			case m.amount == claimGranted:
			case len(m.chunks) == 1: // what the records there hold of it: the answer
				g.release(name, id)
				record := m.chunks[0]
				if n.Kind == policies.ClaimReferrer { // the referrer's code, made there: wait for it here
					g.awaitCode(ctx, m.node, string(record))
				}
				return m.amount, record, policies.ErrClaimed
			case m.amount == claimRefused:
				refused = claimRefused // the records there settle it: final, not tried again
			case refused == claimGranted:
				refused = m.amount // busy: a node holding another's claim may not have the records, so hear the others
			}
		case <-timer.C:
			g.release(name, id)
			if refused != claimGranted {
				return refused, nil, policies.ErrClaimed
			}
			return claimRefused, nil, policies.ErrUnconfirmed
		case <-ctx.Done():
			g.release(name, id)
			return claimRefused, nil, ctx.Err()
		case <-g.stop:
			return claimRefused, nil, errStopped
		}
	}
	if refused != claimGranted {
		g.release(name, id)
		return refused, nil, policies.ErrClaimed
	}
	return claimGranted, nil, nil
}

// Release implements policies.Registry: it gives back this node's last
// claim on name.
func (g *Registry) Release(name string) {
	g.mu.Lock()
	h := g.held[name]
	g.mu.Unlock()
	if h.node == g.cfg.Name {
		g.release(name, h.id)
	}
}

// release gives back the claim id on name, here and on every other
// node. The claim's id goes with it: a release that arrives after a
// later claim of this node's forgets nothing of it (messages to one node
// may arrive out of order).
func (g *Registry) release(name, id string) {
	g.unhold(name, g.cfg.Name, id)
	g.sendOthers(message{kind: kUnclaim, node: g.cfg.Name, id: id, campaign: name})
}

// hold grants name to node's claim id unless another node holds it.
func (g *Registry) hold(name, node, id string) bool {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if h, ok := g.held[name]; ok && h.node != node && now.Before(h.until) {
		return false
	}
	if len(g.held) >= 1024 { // forget the claims that ran out
		for k, h := range g.held {
			if !now.Before(h.until) {
				delete(g.held, k)
			}
		}
	}
	g.held[name] = claimHold{node: node, id: id, until: now.Add(ClaimTTL)}
	return true
}

// unhold forgets node's claim id on name.
func (g *Registry) unhold(name, node, id string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if h := g.held[name]; h.node == node && h.id == id {
		delete(g.held, name)
	}
}

// serve answers another node's claim from this node's records and the
// claims it granted; a refused referrer's claim carries the code here.
func (g *Registry) serve(m message) {
	answer := message{kind: kClaimed, node: g.cfg.Name, id: m.id, amount: claimRefused}
	ok, record := g.settled(m.campaign)
	switch {
	case record != nil:
		answer.chunks = [][]byte{record}
	case !ok:
	case g.hold(m.campaign, m.node, m.id):
		answer.amount = claimGranted
	default:
		answer.amount = claimBusy
	}
	g.send(m.node, answer)
}

// settled reports whether this node's records leave name open, and
// what they hold of it when they settle it.
func (g *Registry) settled(name string) (open bool, record []byte) {
	n, ok := policies.ParseClaim(name)
	if !ok {
		return false, nil
	}
	settle := claimRecords[n.Kind]
	if settle == nil {
		return false, nil
	}
	return settle(context.Background(), g.st, n)
}

// claimRecords says, for each kind of claim, what in a node's records
// settles it, and what the record handed to the claimer is.
var claimRecords = map[policies.ClaimKind]func(ctx context.Context, st *store.Store, n policies.ClaimName) (open bool, record []byte){
	// A friend this node saw redeem, or saw referred.
	policies.ClaimFriend: func(ctx context.Context, st *store.Store, n policies.ClaimName) (bool, []byte) {
		redeemed, referred, err := st.Known(ctx, n.A)
		return err == nil && !redeemed && !referred, nil
	},
	// A referrer whose code this node has: the code.
	policies.ClaimReferrer: func(ctx context.Context, st *store.Store, n policies.ClaimName) (bool, []byte) {
		r, err := st.Referrer(ctx, n.A, n.B)
		switch {
		case err == nil:
			return false, []byte(r.Code)
		case errors.Is(err, policies.ErrUnknownCode):
			return true, nil
		}
		return false, nil
	},
	// An idempotency key this node applied: its stored answer.
	policies.ClaimKey: func(ctx context.Context, st *store.Store, n policies.ClaimName) (bool, []byte) {
		record, found, err := st.Keyed(ctx, n.A, n.B)
		switch {
		case err != nil:
			return false, nil
		case found:
			return false, record
		}
		return true, nil
	},
}

// answered hands a claim's answer to the claim waiting for it.
func (g *Registry) answered(m message) { g.pending.deliver(m) }

// awaitCode pulls node's code log now and waits, at most AcquireTimeout,
// until code is known here.
func (g *Registry) awaitCode(ctx context.Context, node, code string) {
	md := g.peers.meta(node)
	if md.File != "" {
		g.codes.pullFrom(node, md.File, md.Codes, true)
	}
	deadline := time.Now().Add(g.cfg.AcquireTimeout)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if _, err := g.st.Code(ctx, code); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
