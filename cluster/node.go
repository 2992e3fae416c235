package cluster

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// Node is one sidecar's membership in the fleet. It implements
// store.Counter (escrowed rights spent inside the store's transactions),
// policies.Committer (waits for rights only when this node holds too
// few), policies.Usage (cluster-wide usage) and policies.Switches.
type Node struct {
	cfg      Config
	log      *slog.Logger
	ml       *memberlist.Memberlist
	mlConfig *memberlist.Config
	queue    *memberlist.TransmitLimitedQueue
	st       *store.Store
	rev      func() *policies.Revision
	fileID   string
	*Switchboard

	usage   *usageTable
	peers   *peerTable
	xfer    *transfers
	version atomic.Uint64 // of this node's usage registers
	members atomic.Int64  // live members, refreshed every publish tick

	dirtyMu sync.Mutex
	dirty   map[string]struct{} // campaigns whose counters changed
	echo    map[string]int      // campaigns to announce again, in ticks
	codes   pulls               // code replication
	hints   codeHints           // code-use hints for evaluate
	lowMu   sync.Mutex
	low     map[limitKey]int64 // limits running low: fetch more

	inbound  chan message
	outbound chan outMsg
	stop     chan struct{}
	wg       sync.WaitGroup
	stopped  atomic.Bool

	warnedMinters atomic.Pointer[string] // the minters last warned about
}

// New checks cfg and returns a node that is not yet in any cluster: pass
// it to store.Config.Counter, then Start it.
func New(cfg Config) (*Node, error) {
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
	n := &Node{
		cfg: cfg, log: log.With("node", cfg.Name),
		usage: newUsageTable(), peers: newPeerTable(), xfer: newTransfers(), codes: pulls{last: map[string]pullState{}}, hints: codeHints{pending: map[limitKey]switchState{}},
		dirty: map[string]struct{}{}, echo: map[string]int{}, low: map[limitKey]int64{},
		inbound: make(chan message, 4096), outbound: make(chan outMsg, 4096),
		stop: make(chan struct{}),
	}
	n.version.Store(uint64(time.Now().UnixNano()))
	return n, nil
}

// Start opens the cluster's buckets in st's file, joins the cluster and
// starts gossiping. rev is the active revision (the engine's Revision):
// its id is this node's metadata and, on the minter, its limits are
// minted.
func (n *Node) Start(st *store.Store, rev func() *policies.Revision) error {
	n.st, n.rev = st, rev
	if err := n.openFile(); err != nil {
		return err
	}
	n.codes.seq = st.CodeSeq() // announced in the metadata from the start
	sb, err := OpenSwitchboard(st.DB(), n.cfg.Name)
	if err != nil {
		return err
	}
	sb.onChange = n.announceSwitch
	n.Switchboard = sb
	if n.cfg.Minter {
		if err := n.mint(); err != nil {
			return err
		}
	}
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
	if len(n.cfg.Join) > 0 {
		if _, err := n.ml.Join(n.cfg.Join); err != nil {
			n.log.Warn("joining: none reachable yet, will retry", "join", n.cfg.Join, "err", err)
		}
	}
	n.markAllDirty()
	for _, f := range []func(){n.publishLoop, n.inboundLoop, n.retryLoop, n.reconnectLoop} {
		n.wg.Add(1)
		go func() { defer n.wg.Done(); f() }()
	}
	for range 4 {
		n.wg.Add(1)
		go func() { defer n.wg.Done(); n.sendLoop() }()
	}
	return nil
}

// openFile loads the file's id and the transfers not yet acknowledged.
func (n *Node) openFile() error {
	err := n.st.UpdateFleet(func(f *store.FleetTx) error {
		var err error
		if n.fileID, err = f.FileID(); err != nil {
			return err
		}
		return n.xfer.load(f)
	})
	if err != nil {
		return fmt.Errorf("cluster: opening the cluster's buckets: %w", err)
	}
	return nil
}

// Name is this node's name.
func (n *Node) Name() string { return n.cfg.Name }

// Addr is the HOST:PORT this node gossips on.
func (n *Node) Addr() string {
	if n.ml == nil {
		return ""
	}
	return n.ml.LocalNode().Address()
}

func (n *Node) numMembers() int {
	if n.ml == nil {
		return 1
	}
	return n.ml.NumMembers()
}

// Leave hands the rights held here to the other members (see handOff),
// announces departure and stops the node. The store stays open. A node
// that crashes instead keeps its rights until it is back.
func (n *Node) Leave(timeout time.Duration) error {
	if n.ml != nil && !n.stopped.Load() {
		n.handOff(timeout)
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
	var err error
	if n.ml != nil {
		err = n.ml.Shutdown()
	}
	n.wg.Wait()
	n.flushCodeUse() // the hints learnt since the last tick
	return err
}

// Disabled implements policies.Switches (false before Start).
func (n *Node) Disabled(campaign string) bool {
	return n.Switchboard != nil && n.Switchboard.Disabled(campaign)
}

// Set turns a campaign off or on, on every node (see Switchboard.Set).
func (n *Node) Set(campaign string, disabled bool) error {
	if n.Switchboard == nil {
		return ErrNotStarted
	}
	return n.Switchboard.Set(campaign, disabled)
}

func (n *Node) stopping() bool {
	select {
	case <-n.stop:
		return true
	default:
		return false
	}
}

var errStopped = errors.New("cluster: node stopped")
