package cluster

import (
	"context"
	"sync"

	"github.com/promoedge/promoedge/policies"
)

var _ policies.TriggerPeers = (*Node)(nil)

// Triggers are scheduled on the node whose file recorded the event that
// started them, and fire there. An event that cancels them (its type is
// in their unless) may reach another node: that node sends it to every
// live peer, and each cancels what it holds of the customer's. A node
// that is not connected when the event comes keeps its triggers
// (RATIONALE.md, "Why do scheduled triggers stay on their node?"); the
// last cancellations this node sent are kept in memory and sent again to
// a node that joins, so one that returns after the event usually hears
// of it (not when this node restarted in between, or sent more than
// maxResent since).

// BroadcastCancel implements policies.TriggerPeers: c is sent reliably
// to every live peer (a peer whose queue is full misses it).
func (n *Node) BroadcastCancel(c *policies.TriggerCancel) {
	n.sent.add(c)
	n.sendOthers(message{kind: kTriggerCancel, node: n.cfg.Name, cancel: c})
}

// cancelTriggers cancels here what a peer's event cancels.
func (n *Node) cancelTriggers(m message) {
	states, err := n.st.CancelTriggers(context.Background(), m.cancel)
	if err != nil {
		n.log.Error("cancelling triggers for a peer's event", "from", m.node, "event", m.cancel.Event, "err", err)
		return
	}
	if len(states) > 0 {
		n.log.Debug("triggers cancelled by a peer's event", "from", m.node, "event", m.cancel.Event, "cancelled", len(states))
	}
}

// maxResent bounds the cancellations kept for nodes that join.
const maxResent = 4096

// cancelLog is the last cancellations a node sent, oldest first; the
// zero value is empty.
type cancelLog struct {
	mu   sync.Mutex
	list []*policies.TriggerCancel
}

func (l *cancelLog) add(c *policies.TriggerCancel) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.list) == maxResent {
		l.list = append(l.list[:0], l.list[1:]...)
	}
	l.list = append(l.list, c)
}

func (l *cancelLog) all() []*policies.TriggerCancel {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*policies.TriggerCancel(nil), l.list...)
}

// resendCancels sends node the cancellations kept, waiting for room in
// the outbound queue rather than dropping them.
func (n *Node) resendCancels(node string) {
	for _, c := range n.sent.all() {
		select {
		case n.outbound <- outMsg{to: node, msg: (&message{kind: kTriggerCancel, node: n.cfg.Name, cancel: c}).encode(nil)}:
		case <-n.stop:
			return
		}
	}
}
