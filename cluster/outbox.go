package cluster

import (
	"sync"
	"time"

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
