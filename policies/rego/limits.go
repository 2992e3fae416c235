package rego

import (
	"errors"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/topdown"
)

// Limits bound one evaluation of a bundle's Rego rules. A rule that runs
// past them is stopped and its campaign rejected with error; the others
// are decided without it (see the package caveats).
type Limits struct {
	// Deadline bounds one evaluation; 0 is DefaultDeadline.
	Deadline time.Duration
	// MaxAlloc bounds the bytes allocated while one evaluation runs; 0 is
	// DefaultMaxAlloc. It is sampled every tick from the process's
	// allocation count (runtime/metrics), so an evaluation may allocate
	// a tick's worth past it, and one that overlaps another that
	// allocates fast may be stopped with it.
	MaxAlloc uint64
}

// Defaults of Limits: a rule answers in microseconds; these stop a runaway
// one long before it hurts the checkout or the process.
const (
	DefaultDeadline = 250 * time.Millisecond
	DefaultMaxAlloc = 256 << 20
)

// What an evaluation stopped by its Limits fails with.
var (
	ErrDeadline = errors.New("rule evaluation ran past its deadline")
	ErrMaxAlloc = errors.New("rule evaluation allocated past its bound")
)

// tick is how often a running evaluation's limits are checked: an
// evaluation shorter than that costs one timer, and reads no metric.
const tick = 10 * time.Millisecond

func (l Limits) withDefaults() Limits {
	if l.Deadline <= 0 {
		l.Deadline = DefaultDeadline
	}
	if l.MaxAlloc == 0 {
		l.MaxAlloc = DefaultMaxAlloc
	}
	return l
}

// guard watches one evaluation and cancels it past its limits.
type guard struct {
	limits   Limits
	cancel   topdown.Cancel
	start    time.Time
	timer    *time.Timer
	finished atomic.Bool

	mu     sync.Mutex
	alloc0 uint64 // allocated bytes at the first tick
	sample []metrics.Sample
	err    error
}

// watch starts guarding an evaluation that cancel stops.
func (l Limits) watch(cancel topdown.Cancel) *guard {
	g := &guard{limits: l, cancel: cancel, start: time.Now()}
	g.mu.Lock() // check, on the timer's goroutine, reads g.timer
	g.timer = time.AfterFunc(min(tick, l.Deadline), g.check)
	g.mu.Unlock()
	return g
}

// check runs on the timer: it stops the evaluation past a limit, else
// looks again a tick later.
func (g *guard) check() {
	if g.finished.Load() {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	elapsed := time.Since(g.start)
	switch allocated := g.allocated(); {
	case elapsed >= g.limits.Deadline:
		g.err = ErrDeadline
	case allocated > g.limits.MaxAlloc:
		g.err = ErrMaxAlloc
	default:
		g.timer.Reset(min(tick, g.limits.Deadline-elapsed))
		return
	}
	g.cancel.Cancel()
}

// allocated is the bytes the process allocated since the first tick.
func (g *guard) allocated() uint64 {
	if g.sample == nil {
		g.sample = []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
		metrics.Read(g.sample)
		g.alloc0 = g.sample[0].Value.Uint64()
		return 0
	}
	metrics.Read(g.sample)
	return g.sample[0].Value.Uint64() - g.alloc0
}

// done ends the watch and returns the limit that stopped the evaluation,
// if one did.
func (g *guard) done() error {
	g.finished.Store(true)
	g.timer.Stop()
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}
