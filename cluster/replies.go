package cluster

import (
	"strconv"
	"sync"
	"sync/atomic"
)

// replies names the requests this node sends to other nodes and hands
// their answers to the requests waiting for them, by request id; an
// answer no request waits for (it gave up) is dropped.
type replies struct {
	seq     atomic.Uint64
	mu      sync.Mutex
	waiting map[string]chan message
}

// newID names a new request of node ("node/n").
func (r *replies) newID(node string) string {
	return node + "/" + strconv.FormatUint(r.seq.Add(1), 10)
}

// open registers request id, expecting up to n answers.
func (r *replies) open(id string, n int) chan message {
	ch := make(chan message, n)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.waiting == nil {
		r.waiting = map[string]chan message{}
	}
	r.waiting[id] = ch
	return ch
}

// close forgets request id.
func (r *replies) close(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.waiting, id)
}

// deliver hands m to the request it answers, if one waits.
func (r *replies) deliver(m message) {
	r.mu.Lock()
	ch := r.waiting[m.id]
	r.mu.Unlock()
	if ch != nil {
		select {
		case ch <- m:
		default:
		}
	}
}
