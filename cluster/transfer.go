package cluster

import (
	"fmt"
	"sync"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// pending is an outgoing transfer: debited here, durably, and sent until
// the receiver acknowledges it.
type pending struct {
	to     string
	key    limitKey
	amount int64
	sent   time.Time // last send; zero sends at the next retry tick
}

// record is p as the store keeps it in the outbox.
func (p *pending) record() *store.Transfer {
	return &store.Transfer{To: p.to, Key: p.key.rights(), Amount: p.amount}
}

// transfers is the in-memory side of the outbox and of the redemptions
// waiting for rights.
type transfers struct {
	mu      sync.Mutex
	out     map[string]*pending        // transfer id -> not yet acknowledged
	waiters map[limitKey]chan struct{} // closed when rights of the limit arrive or are refused
	denies  map[limitKey]map[string]deny
	asks    map[askKey]ask // the last request to each node for each limit
}

type askKey struct {
	k    limitKey
	node string
}

type ask struct {
	at     time.Time
	amount int64
}

// deny is a node's last answer to a request for a limit: "I hold none,
// and have this much in flight", or a transfer (inFlight is its amount):
// only an answer of none and none in flight is final.
type deny struct {
	at       time.Time
	inFlight int64
}

func newTransfers() *transfers {
	return &transfers{out: map[string]*pending{}, waiters: map[limitKey]chan struct{}{}, denies: map[limitKey]map[string]deny{}, asks: map[askKey]ask{}}
}

// load reads the outbox: transfers a crash left unacknowledged are sent
// again.
func (t *transfers) load(f *store.FleetTx) error {
	return f.EachOutgoing(func(id string, r *store.Transfer) error {
		t.mu.Lock()
		t.out[id] = &pending{to: r.To, key: keyOf(r.Key), amount: r.Amount}
		t.mu.Unlock()
		return nil
	})
}

// wake makes every transfer owed to node go out at the next tick.
func (t *transfers) wake(node string) {
	t.mu.Lock()
	for _, p := range t.out {
		if p.to == node {
			p.sent = time.Time{}
		}
	}
	t.mu.Unlock()
}

// wait returns a channel closed at the next news about k.
func (t *transfers) wait(k limitKey) <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	ch, ok := t.waiters[k]
	if !ok {
		ch = make(chan struct{})
		t.waiters[k] = ch
	}
	return ch
}

func (t *transfers) denied(k limitKey, node string, inFlight int64) {
	t.mu.Lock()
	if t.denies[k] == nil {
		t.denies[k] = map[string]deny{}
	}
	t.denies[k][node] = deny{time.Now(), inFlight}
	delete(t.asks, askKey{k, node}) // answered: the next need asks again
	t.mu.Unlock()
	t.signal(k)
}

// answers reports whether every node asked has denied since it was asked,
// and whether all of them also had nothing in flight (final).
func (t *transfers) answers(k limitKey, asked map[string]time.Time) (answered, final bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	answered, final = true, true
	for node, at := range asked {
		d, ok := t.denies[k][node]
		if !ok || d.at.Before(at) {
			return false, false
		}
		if d.inFlight > 0 {
			final = false
		}
	}
	return answered, final
}

func (t *transfers) inFlight(k limitKey) int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var sum int64
	for _, p := range t.out {
		if p.key == k {
			sum += p.amount
		}
	}
	return sum
}

func (t *transfers) signal(k limitKey) {
	t.mu.Lock()
	if ch, ok := t.waiters[k]; ok {
		close(ch)
		delete(t.waiters, k)
	}
	t.mu.Unlock()
}

// InFlight sums the rights this node has sent and not yet seen
// acknowledged, by limit (the checker's Σ in flight).
func (n *Node) InFlight() map[string]int64 {
	out := map[string]int64{}
	n.xfer.mu.Lock()
	for _, p := range n.xfer.out {
		out[p.key.Campaign+"/"+string(p.key.Limit)] += p.amount
	}
	n.xfer.mu.Unlock()
	return out
}

// inboundLoop handles transfer messages one at a time: each writes to the
// file before it answers.
func (n *Node) inboundLoop() {
	for {
		select {
		case <-n.stop:
			return
		case m := <-n.inbound:
			switch m.kind {
			case kRequest:
				n.grant(m)
			case kTransfer:
				n.credit(m)
			case kAck:
				n.acknowledged(m.id)
			case kSwitch:
				n.mergeGossip(m, true)
			case kPull:
				n.sendChunks(m)
			case kCodes:
				n.applyChunks(m)
			case kDeny:
				n.usage.forget(m.key(), m.node)
				n.xfer.denied(m.key(), m.node, m.amount)
			}
		}
	}
}

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

// outMsg is a reliable message waiting for a sender.
type outMsg struct {
	to  string
	msg []byte
}

// send queues a reliable message to node; a full queue drops it (every
// reliable message is retried by whoever needs its effect).
func (n *Node) send(to string, m message) {
	select {
	case n.outbound <- outMsg{to: to, msg: m.encode(nil)}:
	default:
	}
}

func (n *Node) sendLoop() {
	for {
		select {
		case <-n.stop:
			return
		case o := <-n.outbound:
			nd, ok := n.peers.node(o.to)
			if !ok {
				continue
			}
			if err := n.ml.SendReliable(&nd, o.msg); err != nil {
				n.log.Debug("sending", "to", o.to, "err", err)
			}
		}
	}
}
