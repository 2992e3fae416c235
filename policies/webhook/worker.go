package webhook

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Worker delivers the outbox to the endpoints.
type Worker struct {
	cfg     Config
	out     policies.Outbox
	client  *http.Client
	now     func() time.Time
	log     *slog.Logger
	slots   chan struct{}            // InFlight tokens
	settled chan policies.Outcome    // to the settler
	wake    map[string]chan struct{} // per endpoint: the outbox has news
}

// New validates cfg and returns a worker of out; Run starts it.
func New(cfg Config, out policies.Outbox, log *slog.Logger) (*Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w := &Worker{cfg: cfg, out: out, now: cfg.Now, log: log, slots: make(chan struct{}, cfg.InFlight),
		settled: make(chan policies.Outcome, 4*cfg.InFlight), wake: map[string]chan struct{}{}}
	if w.now == nil {
		w.now = time.Now
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	w.client = cfg.Client
	if w.client == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = cfg.InFlight
		w.client = &http.Client{Transport: t}
	}
	c := *w.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	w.client = &c
	for _, e := range cfg.Endpoints {
		w.wake[e.Name] = make(chan struct{}, 1)
	}
	return w, nil
}

// Configure tells the outbox which endpoints receive notices from now
// on; call it before the first commit that should reach them, and before
// Run.
func (w *Worker) Configure(ctx context.Context) error {
	names := make([]string, len(w.cfg.Endpoints))
	for i, e := range w.cfg.Endpoints {
		names[i] = e.Name
	}
	return w.out.Configure(ctx, names, w.cfg.MaxPending)
}

// Run delivers until ctx ends, what Configure named. Deliveries under way
// are abandoned then: they stay pending in the store and are sent after
// the restart.
func (w *Worker) Run(ctx context.Context) {
	var wg sync.WaitGroup
	settlerDone := make(chan struct{})
	go func() { defer close(settlerDone); w.settle(ctx) }()
	wg.Add(1)
	go func() { defer wg.Done(); w.fanWake(ctx) }()
	for _, e := range w.cfg.Endpoints {
		wg.Add(1)
		go func() { defer wg.Done(); w.feed(ctx, e, &wg) }()
	}
	wg.Wait()
	close(w.settled)
	<-settlerDone
}

// fanWake passes the outbox's signal to every endpoint's feeder.
func (w *Worker) fanWake(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.out.Noticed():
			for _, ch := range w.wake {
				select {
				case ch <- struct{}{}:
				default:
				}
			}
		}
	}
}

// feed reads e's queue past what it already holds and starts a delivery
// for each notice, holding at most Config.Window at once. It reads the
// queue again when a commit queued notices, at each poll, and when a
// delivery ends while the window was full.
func (w *Worker) feed(ctx context.Context, e Endpoint, wg *sync.WaitGroup) {
	var cursor uint64
	finished := make(chan struct{}, w.cfg.Window)
	held, stale := 0, true
	poll := time.NewTicker(w.cfg.Poll)
	defer poll.Stop()
	for {
		for stale && held < w.cfg.Window {
			n := w.cfg.Window - held
			ds, err := w.out.Pending(ctx, e.Name, cursor, n)
			if err != nil {
				if ctx.Err() == nil {
					w.log.Error("webhooks: reading the outbox", "endpoint", e.Name, "err", err)
				}
				break
			}
			for _, d := range ds {
				cursor, held = d.Seq, held+1
				wg.Add(1)
				go func() {
					defer wg.Done()
					w.deliver(ctx, e, d)
					finished <- struct{}{}
				}()
			}
			stale = len(ds) == n // a full page: there may be more
		}
		select {
		case <-ctx.Done():
			return
		case <-finished:
			stale = stale || held == w.cfg.Window
			held--
		case <-w.wake[e.Name]:
			stale = true
		case <-poll.C:
			stale = true
		}
	}
}

// deliver attempts d until it is delivered, too old to retry, or ctx ends.
func (w *Worker) deliver(ctx context.Context, e Endpoint, d policies.Delivery) {
	body, err := encode(&d.Notice)
	if err != nil { // cannot be sent, ever: count it failed
		w.report(ctx, policies.Outcome{Endpoint: e.Name, Seq: d.Seq, State: policies.GaveUp, At: w.now(), Error: err.Error()})
		return
	}
	for failures := 0; ; failures++ {
		select {
		case w.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		err := w.attempt(ctx, e, d.Notice.ID, body)
		<-w.slots
		if ctx.Err() != nil {
			return // shutting down: it stays pending
		}
		at := w.now()
		if err == nil {
			w.report(ctx, policies.Outcome{Endpoint: e.Name, Seq: d.Seq, State: policies.Delivered, At: at})
			return
		}
		o := policies.Outcome{Endpoint: e.Name, Seq: d.Seq, State: policies.Retrying, At: at, Error: err.Error()}
		if at.Sub(d.Notice.At) >= w.cfg.RetryFor {
			o.State = policies.GaveUp
			w.log.Warn("webhooks: giving up on a notice", "endpoint", e.Name, "id", d.Notice.ID, "err", err)
			w.report(ctx, o)
			return
		}
		w.report(ctx, o)
		if !sleep(ctx, w.backoff(failures)) {
			return
		}
	}
}

// backoff is the wait after the failures+1'th failed attempt: FirstRetry
// doubled per earlier failure, capped, with jitter down to half.
func (w *Worker) backoff(failures int) time.Duration {
	d := w.cfg.FirstRetry
	for range min(failures, 40) {
		if d *= 2; d >= w.cfg.MaxBackoff {
			d = w.cfg.MaxBackoff
			break
		}
	}
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// report hands an outcome to the settler.
func (w *Worker) report(ctx context.Context, o policies.Outcome) {
	select {
	case w.settled <- o:
	case <-ctx.Done():
	}
}

// settle writes outcomes to the store until the channel closes: those
// that come within Config.SettleEvery of the first in one transaction,
// so that recording deliveries takes few of the store's fsyncs from the
// redemptions (an outcome not yet written when the process dies is
// attempted again after the restart).
func (w *Worker) settle(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for o := range w.settled {
		batch := []policies.Outcome{o}
		timer.Reset(w.cfg.SettleEvery)
	more:
		for len(batch) < 4096 {
			select {
			case o, ok := <-w.settled:
				if !ok {
					break more
				}
				batch = append(batch, o)
			case <-timer.C:
				break more
			}
		}
		timer.Stop()
		// A shutdown still writes what was delivered: context.WithoutCancel.
		if err := w.out.Settle(context.WithoutCancel(ctx), batch); err != nil {
			w.log.Error("webhooks: recording deliveries", "n", len(batch), "err", err)
		}
	}
}

// Status is each endpoint's counters from the store, with its URL.
func (w *Worker) Status(ctx context.Context) ([]policies.WebhookStatus, error) {
	st, err := w.out.Webhooks(ctx)
	if err != nil {
		return nil, err
	}
	urls := map[string]string{}
	for _, e := range w.cfg.Endpoints {
		urls[e.Name] = e.URL
	}
	for i := range st {
		st[i].URL = urls[st[i].Endpoint]
	}
	return st, nil
}

// errStatus is a receiver's answer other than a 2xx.
var errStatus = errors.New("receiver answered")
