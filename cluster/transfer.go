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
func (rt *Rights) grant(m message) {
	k := m.key()
	rt.mintOnDemand(k)     // periods.go: a period first asked for
	if rt.heldOf(k) <= 0 { // most refusals need no write
		rt.send(m.node, message{kind: kDeny, node: rt.cfg.Name, campaign: k.Campaign, limit: k.Limit, amount: rt.xfer.inFlight(k)})
		return
	}
	id, p, err := rt.debit(k, m.node, func(held int64) int64 { return min(held, max(m.amount, (held+1)/2, 1)) })
	if err != nil {
		rt.log.Warn("granting rights", "to", m.node, "campaign", k.Campaign, "err", err)
		return // nothing was debited: the requester asks again
	}
	if p == nil {
		rt.send(m.node, message{kind: kDeny, node: rt.cfg.Name, campaign: k.Campaign, limit: k.Limit, amount: rt.xfer.inFlight(k)})
		return
	}
	rt.dispatch(id, p)
}

// dispatch sends a transfer debit logged and remembers it until it is
// acknowledged.
func (rt *Rights) dispatch(id string, p *pending) {
	rt.cfg.Observer.Transferred(Out, p.amount)
	rt.usage.touchKey(p.key)
	p.sent = time.Now()
	rt.xfer.mu.Lock()
	rt.xfer.out[id] = p
	rt.xfer.mu.Unlock()
	rt.sendTransfer(id, p)
}

// debit takes amount(held) of the rights of k held here and logs their
// transfer to node, in one transaction; nil when none are held.
func (rt *Rights) debit(k limitKey, to string, amount func(held int64) int64) (string, *pending, error) {
	var p *pending
	var id string
	err := rt.st.UpdateFleet(func(f *store.FleetTx) error {
		r := getRights(f, k)
		if r.Held <= 0 {
			return nil
		}
		give := amount(r.Held)
		seq, err := f.NextTransfer()
		if err != nil {
			return err
		}
		id = fmt.Sprintf("%s/%s/%d", rt.cfg.Name, rt.fileID, seq)
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
func (rt *Rights) handOff(timeout time.Duration) {
	peers := rt.others()
	if len(peers) == 0 {
		return
	}
	var keys []limitKey
	_ = rt.st.ViewFleet(func(f *store.FleetTx) error {
		return f.EachRights(func(k policies.RightsKey, r policies.Rights) error {
			if r.Held > 0 {
				keys = append(keys, keyOf(k))
			}
			return nil
		})
	})
	for i, k := range keys {
		id, p, err := rt.debit(k, peers[i%len(peers)], func(held int64) int64 { return held })
		if err != nil || p == nil {
			continue
		}
		rt.dispatch(id, p)
	}
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		rt.xfer.mu.Lock()
		left := len(rt.xfer.out)
		rt.xfer.mu.Unlock()
		if left == 0 {
			break
		}
	}
	rt.usage.publish()
}

func (rt *Rights) sendTransfer(id string, p *pending) {
	rt.send(p.to, message{kind: kTransfer, node: rt.cfg.Name, id: id, campaign: p.key.Campaign, limit: p.key.Limit, amount: p.amount})
}

// credit adds a transfer's rights, at most once: the transfer id is kept
// in the same transaction. Every copy is acknowledged, so a lost ack is
// repaired by the sender's next resend.
func (rt *Rights) credit(m message) {
	k := m.key()
	dup := false
	err := rt.st.UpdateFleet(func(f *store.FleetTx) error {
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
		rt.log.Warn("crediting rights", "from", m.node, "id", m.id, "err", err)
		return // not acknowledged: it comes again
	}
	rt.send(m.node, message{kind: kAck, node: rt.cfg.Name, id: m.id})
	if !dup {
		rt.cfg.Observer.Transferred(In, m.amount)
		rt.usage.touchKey(k)
		rt.xfer.denied(k, m.node, m.amount) // an answer, and not a final one
	}
}

// acknowledged forgets a transfer the receiver has credited.
func (rt *Rights) acknowledged(id string) {
	err := rt.st.UpdateFleet(func(f *store.FleetTx) error { return f.DeleteOutgoing(id) })
	if err != nil {
		return // still in the outbox: resent, credited once, acknowledged again
	}
	rt.xfer.mu.Lock()
	delete(rt.xfer.out, id)
	rt.xfer.mu.Unlock()
}

// retryLoop resends transfers that were not acknowledged in time.
func (rt *Rights) retryLoop() {
	tick := time.NewTicker(rt.cfg.RetryInterval)
	defer tick.Stop()
	for {
		select {
		case <-rt.stop:
			return
		case <-tick.C:
		}
		rt.resendMoves() // wallets.go
		now := time.Now()
		type due struct {
			id string
			p  pending
		}
		var resend []due
		rt.xfer.mu.Lock()
		for id, p := range rt.xfer.out {
			if now.Sub(p.sent) >= rt.cfg.RetryInterval {
				p.sent = now
				resend = append(resend, due{id, *p})
			}
		}
		rt.xfer.mu.Unlock()
		for _, d := range resend {
			rt.sendTransfer(d.id, &d.p)
		}
	}
}
