package sidecar

import (
	"context"
	"sync"
	"time"
)

// Writable is a State that can tell whether it takes writes now: a full
// disk, a read-only mount or an I/O error make /ready answer 503, so a
// load balancer stops sending redeems that would all fail. The bbolt
// store implements it with a small synced write (cmd adapts nothing:
// the State it hands in has the method).
type Writable interface {
	Probe(ctx context.Context) error
}

// probeEvery bounds how often /ready writes to the store: /ready is
// open to anyone, and each probe is a synced write.
const probeEvery = time.Second

// probeTimeout bounds one probe; a store that hangs is not ready either.
const probeTimeout = 2 * time.Second

// writeProbe remembers the last probe of the State's writes.
type writeProbe struct {
	mu  sync.Mutex
	at  time.Time
	err error
}

// storeWritable probes the State if it is Writable, at most once per
// probeEvery, and reports the last result.
func (s *Server) storeWritable() error {
	w, ok := s.state.(Writable)
	if !ok {
		return nil
	}
	p := &s.probe
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.at.IsZero() && time.Since(p.at) < probeEvery {
		return p.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	p.err, p.at = w.Probe(ctx), time.Now()
	return p.err
}
