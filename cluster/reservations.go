package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// ErrUnreachable: the node that made a reservation is not alive here, or
// did not answer in time; what the reservation holds stays in its file.
var ErrUnreachable = errors.New("cluster: the node that made the reservation is unreachable")

// ReservationHandler runs, on the node that made a reservation, a request
// another node forwarded (op is commit, release or get) and returns its
// HTTP answer.
type ReservationHandler func(ctx context.Context, op, id string, body []byte) (status int, answer []byte)

// Reservations carries requests for a reservation to the node that made
// it (its id names it), which alone acts on it: that node's file holds
// what the reservation holds and decides, once, whether it is committed,
// released or expired (doc.go, "Reservations"). It is the sidecar's
// Forwarder.
type Reservations struct {
	*base
	pending replies // request id -> where its answer goes
	handler atomic.Pointer[ReservationHandler]
	wg      sync.WaitGroup // requests being served here
}

func newReservations(b *base) *Reservations {
	return &Reservations{base: b}
}

// Reservations is the node's carrier of reservation requests.
func (n *Node) Reservations() *Reservations { return n.reservations }

// Handle sets what runs the requests other nodes forward here.
func (r *Reservations) Handle(h func(ctx context.Context, op, id string, body []byte) (int, []byte)) {
	f := ReservationHandler(h)
	r.handler.Store(&f)
}

// Forward sends op on reservation id to node and waits for its answer, at
// most AcquireTimeout (the request may still run there: commits are
// idempotent, so a retry is safe). A node not alive is ErrUnreachable at
// once.
func (r *Reservations) Forward(ctx context.Context, node, op, id string, body []byte) (int, []byte, error) {
	if node == r.cfg.Name || !r.peers.alive(node) {
		return 0, nil, fmt.Errorf("%w: %q", ErrUnreachable, node)
	}
	req := r.pending.newID(r.cfg.Name)
	ch := r.pending.open(req, 1)
	defer r.pending.close(req)
	r.send(node, message{kind: kReserveAsk, node: r.cfg.Name, id: req, campaign: op, chunks: [][]byte{[]byte(id), body}})
	timer := time.NewTimer(r.cfg.AcquireTimeout)
	defer timer.Stop()
	select {
	case m := <-ch:
		var answer []byte
		if len(m.chunks) > 0 {
			answer = m.chunks[0]
		}
		return int(m.amount), answer, nil
	case <-timer.C:
		return 0, nil, fmt.Errorf("%w: %q did not answer in %v", ErrUnreachable, node, r.cfg.AcquireTimeout)
	case <-ctx.Done():
		return 0, nil, ctx.Err()
	case <-r.stop:
		return 0, nil, errStopped
	}
}

// serve runs a forwarded request on its own goroutine (a commit may wait
// for rights, which arrive through the inbound loop) and answers it.
func (r *Reservations) serve(m message) {
	h := r.handler.Load()
	if h == nil || len(m.chunks) != 2 {
		return // not serving yet: the asker times out
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		status, answer := (*h)(context.Background(), m.campaign, string(m.chunks[0]), m.chunks[1])
		r.send(m.node, message{kind: kReserveAnswer, node: r.cfg.Name, id: m.id, amount: int64(status), chunks: [][]byte{answer}})
	}()
}

// answered hands an answer to the request waiting for it.
func (r *Reservations) answered(m message) { r.pending.deliver(m) }

// alive reports whether name was last seen alive.
func (p *peerTable) alive(name string) bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	m := p.peers[name]
	return m != nil && m.State == "alive"
}
