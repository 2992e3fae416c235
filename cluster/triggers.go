package cluster

import (
	"context"

	"github.com/promoedge/promoedge/policies"
)

var _ policies.TriggerPeers = (*Node)(nil)

// Triggers are scheduled on the node whose file recorded the event that
// started them, and fire there. An event that cancels them (its type is
// in their unless) may reach another node: that node sends it to every
// live peer, and each cancels what it holds of the customer's. A node
// that is not connected when the event comes keeps its triggers
// (RATIONALE.md, "Why do scheduled triggers stay on their node?").

// BroadcastCancel implements policies.TriggerPeers: c is sent reliably
// to every live peer (a peer whose queue is full misses it).
func (n *Node) BroadcastCancel(c *policies.TriggerCancel) {
	m := message{kind: kTriggerCancel, node: n.cfg.Name, cancel: c}
	for _, mem := range n.ml.Members() {
		if mem.Name != n.cfg.Name {
			n.send(mem.Name, m)
		}
	}
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
