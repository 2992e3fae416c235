package activation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

// SourceShadow is the kind of source of a promoted shadow bundle
// (POST /v1/bundles/shadow/promote), as an Observer is told it.
const SourceShadow = "shadow"

// ErrNoShadow is returned by PromoteShadow and DropShadow when no shadow
// bundle is loaded.
var ErrNoShadow = errors.New("no shadow bundle is loaded")

// Defaults of the shadow comparison's bounds.
const (
	defaultShadowQueue   = 1024
	defaultShadowSamples = 20
)

// shadowRun is one shadow bundle and its comparison: evaluate answers
// wait in jobs (bounded; Offer drops when it is full) and one worker
// prices each again on rev and counts what differs.
type shadowRun struct {
	rev    *policies.Revision
	source string
	data   []byte // the tarball, kept as the last good bundle on promotion
	since  time.Time

	jobs    chan shadowJob
	stop    chan struct{}
	done    chan struct{}
	dropped atomic.Int64

	mu    sync.Mutex // guards tally
	tally shadowTally
}

// shadowJob is one evaluate answer to price again.
type shadowJob struct {
	req  *policies.Request
	live *policies.Decision
}

// LoadShadow builds the gzipped tarball bundle exactly as Tarball does and,
// if it loads, makes it the shadow bundle: from now on every answer given
// to Offer is priced on it too, off the answer's path, and compared. A
// bundle that does not load is returned as the error (a *bundle.LoadError
// lists every problem) and changes nothing: the shadow bundle loaded
// before, if any, keeps running, and the active bundle, its history and
// its last refusal are untouched. A new shadow replaces the previous one
// and its counts start over.
func (a *Activator) LoadShadow(ctx context.Context, source string, data []byte) (ShadowReport, error) {
	rev, err := bundle.LoadTarball(ctx, a.loadConfig(source), bytes.NewReader(data))
	if err != nil {
		return ShadowReport{}, err
	}
	queue := a.cfg.ShadowQueue
	if queue <= 0 {
		queue = defaultShadowQueue
	}
	r := &shadowRun{
		rev: rev, source: source, data: bytes.Clone(data), since: a.cfg.Now().UTC(),
		jobs: make(chan shadowJob, queue), stop: make(chan struct{}), done: make(chan struct{}),
		tally: newShadowTally(),
	}
	if a.cfg.ShadowSamples > 0 {
		r.tally.maxSamples = a.cfg.ShadowSamples
	}
	a.shadowMu.Lock()
	defer a.shadowMu.Unlock()
	go a.compare(r)
	if old := a.shadow.Swap(r); old != nil {
		old.halt()
	}
	a.cfg.Log.Info("shadow bundle loaded", "revision", rev.ID, "source", source)
	return r.report(), nil
}

// Offer hands an evaluate request and the answer it was given to the
// shadow bundle, if one is loaded. It never blocks: when the queue is
// full the answer is dropped and counted. The caller must not change req
// or live afterwards.
func (a *Activator) Offer(req *policies.Request, live *policies.Decision) {
	r := a.shadow.Load()
	if r == nil {
		return
	}
	select {
	case r.jobs <- shadowJob{req: req, live: live}:
	default:
		r.dropped.Add(1)
	}
}

// Shadow reports what the shadow bundle answered differently so far;
// false when none is loaded.
func (a *Activator) Shadow() (ShadowReport, bool) {
	r := a.shadow.Load()
	if r == nil {
		return ShadowReport{}, false
	}
	return r.report(), true
}

// DropShadow stops the shadow bundle and forgets it and its counts;
// ErrNoShadow when none is loaded.
func (a *Activator) DropShadow() (ShadowReport, error) {
	a.shadowMu.Lock()
	defer a.shadowMu.Unlock()
	r := a.shadow.Swap(nil)
	if r == nil {
		return ShadowReport{}, ErrNoShadow
	}
	r.halt()
	a.cfg.Log.Info("shadow bundle dropped", "revision", r.rev.ID)
	return r.report(), nil
}

// PromoteShadow makes the shadow bundle the active one, as any activation
// does (one atomic swap, kept as the last good bundle, in the history
// with source kind SourceShadow), and stops the comparison; ErrNoShadow
// when none is loaded, and then nothing changes.
func (a *Activator) PromoteShadow() (*Activation, error) {
	a.shadowMu.Lock()
	defer a.shadowMu.Unlock()
	r := a.shadow.Swap(nil)
	if r == nil {
		return nil, ErrNoShadow
	}
	r.halt()
	return a.activate(r.rev, SourceShadow, "shadow: "+r.source, r.data)
}

// Close stops the shadow comparison, if one runs.
func (a *Activator) Close() {
	if _, err := a.DropShadow(); err != nil && !errors.Is(err, ErrNoShadow) {
		a.cfg.Log.Warn("closing the shadow bundle", "err", err)
	}
}

// halt stops the worker and waits for it; answers still queued are not
// priced.
func (r *shadowRun) halt() {
	close(r.stop)
	<-r.done
}

// compare is the worker of r: it prices each queued answer on the
// shadow revision until r is halted.
func (a *Activator) compare(r *shadowRun) {
	defer close(r.done)
	for {
		select {
		case <-r.stop:
			return
		case j := <-r.jobs:
			a.compareOne(r, j)
		}
	}
}

func (a *Activator) compareOne(r *shadowRun, j shadowJob) {
	dec, err := a.engine.EvaluateOn(context.Background(), r.rev, j.req)
	at := a.cfg.Now().UTC()
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.tally.errors++
		r.tally.lastError = fmt.Sprintf("%s: %v", at.Format(time.RFC3339), err)
		return
	}
	r.tally.add(j.live, dec, func() ShadowSample {
		return ShadowSample{At: at, Customer: a.hashCustomer(j.req.Customer.ID), Currency: j.live.Currency,
			Live: sideOf(j.live), Shadow: sideOf(dec)}
	})
}
