package wasm

import (
	"context"
	"sync"
)

// pool keeps at most max instances of one module: idle ones are reused,
// and a call that finds none idle makes one if fewer than max exist, or
// waits for one to be put back.
type pool struct {
	slots  chan struct{}  // one token per live instance
	idle   chan *instance // instances ready for a call
	create func(context.Context) (*instance, error)
	mu     sync.Mutex
	closed bool
}

func newPool(max int, create func(context.Context) (*instance, error)) *pool {
	return &pool{slots: make(chan struct{}, max), idle: make(chan *instance, max), create: create}
}

func (p *pool) get(ctx context.Context) (*instance, error) {
	select {
	case in := <-p.idle:
		return in, nil
	default:
	}
	select {
	case in := <-p.idle:
		return in, nil
	case p.slots <- struct{}{}:
		in, err := p.create(ctx)
		if err != nil {
			<-p.slots
			return nil, err
		}
		return in, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// put gives back an instance that is fit for the next call.
func (p *pool) put(in *instance) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		in.close()
		<-p.slots
		return
	}
	p.idle <- in
}

// discard closes an instance that failed and frees its slot.
func (p *pool) discard(in *instance) {
	in.close()
	<-p.slots
}

func (p *pool) live() int { return len(p.slots) }

// close closes the idle instances; busy ones are closed when put back.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for {
		select {
		case in := <-p.idle:
			in.close()
			<-p.slots
		default:
			return
		}
	}
}
