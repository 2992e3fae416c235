package cluster

import (
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// base is what the parts of a node share: its configuration, its file,
// the active revision, and the memberlist they talk to the fleet through
// (broadcasts on queue, reliable messages through send). New makes one
// base and every part of the node around it.
type base struct {
	cfg      Config
	log      *slog.Logger
	st       *store.Store
	rev      func() *policies.Revision
	fileID   string // this file's id: names its transfers and code log
	ml       *memberlist.Memberlist
	members  atomic.Pointer[memberlist.Memberlist] // ml, for memberlist's own goroutines (numMembers)
	metaMu   sync.Mutex                            // one UpdateNode at a time: memberlist's is not safe concurrently
	queue    *memberlist.TransmitLimitedQueue
	peers    *peerTable
	outbound chan outMsg
	stop     chan struct{}
}

var errStopped = errors.New("cluster: node stopped")

func (b *base) stopping() bool {
	select {
	case <-b.stop:
		return true
	default:
		return false
	}
}

// numMembers is how many nodes are alive; memberlist's goroutines call it
// (the broadcast queue) while Create, which starts them, has not returned.
func (b *base) numMembers() int {
	ml := b.members.Load()
	if ml == nil {
		return 1
	}
	return ml.NumMembers()
}

func (b *base) revision() *policies.Revision {
	if b.rev == nil {
		return nil
	}
	return b.rev()
}

// broadcast queues m as gossip under name: a newer one with the same name
// replaces it in the queue.
func (b *base) broadcast(name string, m message) {
	b.queue.QueueBroadcast(&broadcast{name: name, msg: m.encode(nil)})
}

// others lists the live members but this node.
func (b *base) others() []string {
	var names []string
	for _, m := range b.ml.Members() {
		if m.Name != b.cfg.Name {
			names = append(names, m.Name)
		}
	}
	return names
}

// sendOthers queues m to every live member but this node (sendTo).
func (b *base) sendOthers(m message) { b.sendTo(b.others(), m) }

// sendTo queues m, encoded once, to each node of to; a full queue
// drops it (as send).
func (b *base) sendTo(to []string, m message) {
	raw := m.encode(nil)
	for _, node := range to {
		b.sendRaw(node, raw)
	}
}

// heldOf is the rights of k this node holds, read now.
func (b *base) heldOf(k limitKey) int64 {
	var held int64
	_ = b.st.ViewFleet(func(f *store.FleetTx) error {
		held = getRights(f, k).Held
		return nil
	})
	return held
}

// held reports the rights of campaign's limits this node holds.
func (b *base) held(campaign string) (count, budget int64) {
	_ = b.st.ViewFleet(func(f *store.FleetTx) error {
		count = getRights(f, limitKey{campaign, limitCount}).Held
		budget = getRights(f, limitKey{campaign, limitBudget}).Held
		return nil
	})
	return count, budget
}

// updateMeta announces this node's metadata (revision, code log) again.
func (b *base) updateMeta() {
	go func() { // it waits for the broadcast to go out; publishing must not
		b.metaMu.Lock() // a revision change and a code-log announcement can coincide
		defer b.metaMu.Unlock()
		if err := b.ml.UpdateNode(time.Second); err != nil && !b.stopping() {
			b.log.Warn("announcing the metadata", "err", err)
		}
	}()
}

// outMsg is a reliable message waiting for a sender.
type outMsg struct {
	to  string
	msg []byte
}

// send queues a reliable message to node; a full queue drops it (every
// reliable message is retried by whoever needs its effect).
func (b *base) send(to string, m message) { b.sendRaw(to, m.encode(nil)) }

func (b *base) sendRaw(to string, raw []byte) {
	select {
	case b.outbound <- outMsg{to: to, msg: raw}:
	default:
	}
}

func (b *base) sendLoop() {
	for {
		select {
		case <-b.stop:
			return
		case o := <-b.outbound:
			nd, ok := b.peers.node(o.to)
			if !ok {
				continue
			}
			if err := b.ml.SendReliable(&nd, o.msg); err != nil {
				b.log.Debug("sending", "to", o.to, "err", err)
			}
		}
	}
}
