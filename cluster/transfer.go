package cluster

import (
	"fmt"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// grant answers a request for rights: it debits what it gives and logs
// the transfer in the same transaction, then sends it. It gives at least
// what was asked, or half of what it holds if that is more, or all it
// has; holding none it says so.
func (n *Node) grant(m message) {
	k := m.key()
	if n.heldOf(k) <= 0 { // most refusals need no write
		n.send(m.node, message{kind: kDeny, node: n.cfg.Name, campaign: k.Campaign, limit: k.Limit, amount: n.xfer.inFlight(k)})
		return
	}
	id, p, err := n.debit(k, m.node, func(held int64) int64 { return min(held, max(m.amount, (held+1)/2, 1)) })
	if err != nil {
		n.log.Warn("granting rights", "to", m.node, "campaign", k.Campaign, "err", err)
		return // nothing was debited: the requester asks again
	}
	if p == nil {
		n.send(m.node, message{kind: kDeny, node: n.cfg.Name, campaign: k.Campaign, limit: k.Limit, amount: n.xfer.inFlight(k)})
		return
	}
	n.dispatch(id, p)
}

// dispatch sends a transfer debit logged and remembers it until it is
// acknowledged.
func (n *Node) dispatch(id string, p *pending) {
	n.cfg.Observer.Transferred(Out, p.amount)
	n.touchKey(p.key)
	p.sent = time.Now()
	n.xfer.mu.Lock()
	n.xfer.out[id] = p
	n.xfer.mu.Unlock()
	n.sendTransfer(id, p)
}

// debit takes amount(held) of the rights of k held here and logs their
// transfer to node, in one transaction; nil when none are held.
func (n *Node) debit(k limitKey, to string, amount func(held int64) int64) (string, *pending, error) {
	var p *pending
	var id string
	err := n.st.UpdateFleet(func(f *store.FleetTx) error {
		r := getRights(f, k)
		if r.Held <= 0 {
			return nil
		}
		give := amount(r.Held)
		seq, err := f.NextTransfer()
		if err != nil {
			return err
		}
		id = fmt.Sprintf("%s/%s/%d", n.cfg.Name, n.fileID, seq)
		p = &pending{to: to, key: k, amount: give}
		r.Held -= give
		if err := putRights(f, k, r); err != nil {
			return err
		}
		return f.PutOutgoing(id, p.record())
	})
	return id, p, err
}

// handOff gives every right held here to the live peers before this node
// leaves, so that a node scaled away takes no part of a limit with it. It
// waits for the acknowledgements until timeout; what is not acknowledged
// by then stays in the outbox and is resent when the node is back.
func (n *Node) handOff(timeout time.Duration) {
	var peers []string
	for _, m := range n.ml.Members() {
		if m.Name != n.cfg.Name {
			peers = append(peers, m.Name)
		}
	}
	if len(peers) == 0 {
		return
	}
	var keys []limitKey
	_ = n.st.ViewFleet(func(f *store.FleetTx) error {
		return f.EachRights(func(k policies.RightsKey, r policies.Rights) error {
			if r.Held > 0 {
				keys = append(keys, keyOf(k))
			}
			return nil
		})
	})
	for i, k := range keys {
		id, p, err := n.debit(k, peers[i%len(peers)], func(held int64) int64 { return held })
		if err != nil || p == nil {
			continue
		}
		n.dispatch(id, p)
	}
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		n.xfer.mu.Lock()
		left := len(n.xfer.out)
		n.xfer.mu.Unlock()
		if left == 0 {
			break
		}
	}
	n.publish()
}

func (n *Node) sendTransfer(id string, p *pending) {
	n.send(p.to, message{kind: kTransfer, node: n.cfg.Name, id: id, campaign: p.key.Campaign, limit: p.key.Limit, amount: p.amount})
}

// credit adds a transfer's rights, at most once: the transfer id is kept
// in the same transaction. Every copy is acknowledged, so a lost ack is
// repaired by the sender's next resend.
func (n *Node) credit(m message) {
	k := m.key()
	dup := false
	err := n.st.UpdateFleet(func(f *store.FleetTx) error {
		if f.Credited(m.id) {
			dup = true
			return nil
		}
		r := getRights(f, k)
		r.Held += m.amount
		if err := putRights(f, k, r); err != nil {
			return err
		}
		return f.PutCredited(m.id, time.Now())
	})
	if err != nil {
		n.log.Warn("crediting rights", "from", m.node, "id", m.id, "err", err)
		return // not acknowledged: it comes again
	}
	n.send(m.node, message{kind: kAck, node: n.cfg.Name, id: m.id})
	if !dup {
		n.cfg.Observer.Transferred(In, m.amount)
		n.touchKey(k)
		n.xfer.denied(k, m.node, m.amount) // an answer, and not a final one
	}
}

// acknowledged forgets a transfer the receiver has credited.
func (n *Node) acknowledged(id string) {
	err := n.st.UpdateFleet(func(f *store.FleetTx) error { return f.DeleteOutgoing(id) })
	if err != nil {
		return // still in the outbox: resent, credited once, acknowledged again
	}
	n.xfer.mu.Lock()
	delete(n.xfer.out, id)
	n.xfer.mu.Unlock()
}

// retryLoop resends transfers that were not acknowledged in time.
func (n *Node) retryLoop() {
	tick := time.NewTicker(n.cfg.RetryInterval)
	defer tick.Stop()
	for {
		select {
		case <-n.stop:
			return
		case <-tick.C:
		}
		now := time.Now()
		type due struct {
			id string
			p  pending
		}
		var resend []due
		n.xfer.mu.Lock()
		for id, p := range n.xfer.out {
			if now.Sub(p.sent) >= n.cfg.RetryInterval {
				p.sent = now
				resend = append(resend, due{id, *p})
			}
		}
		n.xfer.mu.Unlock()
		for _, d := range resend {
			n.sendTransfer(d.id, &d.p)
		}
	}
}
