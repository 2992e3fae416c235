package cluster

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/stats"
	"github.com/promoedge/promoedge/policies/store"
)

// Node is one sidecar's membership in the fleet: it joins the others
// over memberlist, announces this node (metadata), routes what arrives to
// the part it is for, and leaves. The parts have one job each: Rights
// (the limits' rights outside commits; the Limiter spends them inside),
// Usage (cluster-wide usage), CodeHints (codes used elsewhere, for
// evaluate), the code replica, and the Switchboard (kill switches).
type Node struct {
	*base
	mlConfig *memberlist.Config

	lim    *Limiter
	rights *Rights
	usage  *Usage
	hints  *CodeHints
	stats  *Stats
	codes  *codeReplica
	sw     *policies.Switchboard
	book   *memberBook // the members the file remembers (members.go)
	sent   cancelLog   // trigger cancellations sent lately, resent to a node that joins (triggers.go)

	reservations *Reservations // requests for reservations made elsewhere (reservations.go)
	registry     *Registry     // claims on referrals (registry.go)

	inbound chan message
	wg      sync.WaitGroup
	stopped atomic.Bool

	warnedMinters atomic.Pointer[string] // the minters last warned about
}

// New joins the fleet with the node cfg describes, on st's file, whose
// commits lim (given to the store as its Limiter) spends rights in. rev
// is the active revision: its id is this node's metadata and, on the
// minter, its limits are minted.
func New(cfg Config, st *store.Store, lim *Limiter, rev func() *policies.Revision) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Observer == nil {
		cfg.Observer = noObserver{}
	}
	b := &base{cfg: cfg, log: log.With("node", cfg.Name), st: st, rev: rev, peers: newPeerTable(),
		outbound: make(chan outMsg, 4096), stop: make(chan struct{})}
	n := &Node{base: b, lim: lim, inbound: make(chan message, 4096),
		usage: &Usage{base: b, table: newUsageTable(), dirty: map[string]struct{}{}, echo: map[string]int{}},
		hints: &CodeHints{base: b, codeHints: codeHints{pending: map[limitKey]switchState{}}},
		codes: &codeReplica{base: b, pulls: pulls{last: map[string]pullState{}, seq: st.CodeSeq()}},
		book:  newMemberBook(),
		stats: &Stats{base: b, dirty: map[stats.Key]struct{}{}},
	}
	n.usage.version.Store(uint64(time.Now().UnixNano()))
	n.rights = &Rights{base: b, lim: lim, usage: n.usage, xfer: newTransfers(), peeks: &replies{}, shares: newWalletShares()}
	n.reservations = newReservations(b)
	n.registry = newRegistry(b, n.codes)
	if err := n.openFile(); err != nil {
		return nil, err
	}
	sb, err := policies.OpenSwitchboard(st, cfg.Name, n.announceSwitch)
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	n.sw = sb
	if cfg.Minter {
		if err := n.rights.mint(); err != nil {
			return nil, err
		}
	}
	if err := n.join(); err != nil {
		return nil, err
	}
	lim.node.Store(n) // commits tell this node what they spent from now on
	n.usage.markAllDirty()
	for _, f := range []func(){n.publishLoop, n.inboundLoop, n.rights.retryLoop, n.reconnectLoop, n.rememberLoop} {
		n.wg.Add(1)
		go func() { defer n.wg.Done(); f() }()
	}
	for range 4 {
		n.wg.Add(1)
		go func() { defer n.wg.Done(); n.sendLoop() }()
	}
	return n, nil
}

// join starts memberlist and joins the members of Config.Join that answer;
// those the file remembers are joined at once by the reconnect loop
// (members.go), so that one gone for good cannot hold up the start.
func (n *Node) join() error {
	d := &delegate{n: n}
	mc, err := n.cfg.memberlistConfig(d)
	if err != nil {
		return err
	}
	n.mlConfig = mc
	// Memberlist piggybacks broadcasts on probes and acks too, which can
	// spend a message's transmissions on one peer: ours get twice its
	// budget (they are small), and publish repeats each change once.
	n.queue = &memberlist.TransmitLimitedQueue{NumNodes: n.numMembers, RetransmitMult: 2 * mc.RetransmitMult}
	if n.ml, err = memberlist.Create(mc); err != nil {
		return fmt.Errorf("cluster: starting memberlist: %w", err)
	}
	n.members.Store(n.ml)
	if len(n.cfg.Join) > 0 {
		if _, err := n.ml.Join(n.cfg.Join); err != nil {
			n.log.Warn("joining: none reachable yet, will retry", "join", n.cfg.Join, "err", err)
		}
	}
	return nil
}

// openFile loads the file's id, the transfers not yet acknowledged and
// the members remembered.
func (n *Node) openFile() error {
	err := n.st.UpdateFleet(func(f *store.FleetTx) error {
		var err error
		if n.fileID, err = f.FileID(); err != nil {
			return err
		}
		n.book.load(f)
		return n.rights.xfer.load(f)
	})
	if err != nil {
		return fmt.Errorf("cluster: opening the cluster's buckets: %w", err)
	}
	return nil
}

// Rights is this node's part in moving the limits' rights; it is the
// engine's policies.Supplier.
func (n *Node) Rights() *Rights { return n.rights }

// Stats is this node's campaign statistics, shared with the fleet.
func (n *Node) Stats() *Stats { return n.stats }

// Usage is the fleet's usage, what evaluate reads (policies.Usage).
func (n *Node) Usage() *Usage { return n.usage }

// CodeHints is what evaluate hears of codes used elsewhere
// (policies.CodeHints).
func (n *Node) CodeHints() *CodeHints { return n.hints }

// Name is this node's name.
func (n *Node) Name() string { return n.cfg.Name }

// Addr is the HOST:PORT this node gossips on.
func (n *Node) Addr() string {
	return n.ml.LocalNode().Address()
}

// Leave hands the rights held here to the other members (see handOff),
// announces departure and stops the node. The store stays open. A node
// that crashes instead keeps its rights until it is back.
func (n *Node) Leave(timeout time.Duration) error {
	if !n.stopped.Load() {
		n.rights.handOff(timeout)
		_ = n.ml.Leave(timeout)
	}
	return n.Shutdown()
}

// Shutdown stops gossiping without a word to the others, as a crash
// would; rights held here stay in the file for the next start.
func (n *Node) Shutdown() error {
	if !n.stopped.CompareAndSwap(false, true) {
		return nil
	}
	close(n.stop)
	err := n.ml.Shutdown()
	n.wg.Wait()
	n.reservations.wg.Wait()
	n.hints.flushCodeUse() // the hints learnt since the last tick
	return err
}
