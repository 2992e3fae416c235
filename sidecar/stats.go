package sidecar

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/stats"
)

// The campaign statistics (docs/experiments.md): the campaign table's counters
// (campaignstats.go) are the one count; a flush reads what they gained
// since the last one, dates it with the UTC day, and hands it to the
// stats keeper (the store, or the fleet over it) in one batch, off the
// request's path. Redemptions and rollbacks, dated by their redemption,
// wait in a list for the same flush.

// experimentCounters count the variants of one phase of an experiment.
type experimentCounters struct {
	campaign string
	phase    string
	variants map[string]*variantCounters // by name; fixed for the phase
}

// variantCounters count one variant's exposures, and the customers
// exposed since the last flush (their hashes: the keeper counts them
// distinct).
type variantCounters struct {
	exposures atomic.Uint64
	flushed   uint64 // exposures at the last flush; the flush's only
	mu        sync.Mutex
	customers map[uint64]struct{}
}

// flows is what waits for the next flush besides the table's counters.
type flows struct {
	flushMu sync.Mutex // one flush at a time
	pendMu  sync.Mutex
	pending []stats.Delta         // redemptions and rollbacks
	retired []*experimentCounters // phases replaced since the last flush, with their last counts
}

// expose counts one exposure of c's variant v for subject.
func (c *campaignCounters) expose(v, subject string) {
	ec := c.exp.Load()
	if ec == nil {
		return
	}
	vc, ok := ec.variants[v]
	if !ok {
		return // a variant of a revision swapped out while the request ran
	}
	vc.exposures.Add(1)
	h := stats.Hash(subject)
	vc.mu.Lock()
	vc.customers[h] = struct{}{}
	vc.mu.Unlock()
}

// follow gives cc counters for c's experiment phase; the counters of a
// phase it replaces are kept for their last flush.
func (t *campaignTable) follow(cc *campaignCounters, c *policies.Campaign) {
	old := cc.exp.Load()
	if c.Variants == nil || (old != nil && old.phase == c.Phase) {
		return
	}
	ec := &experimentCounters{campaign: c.ID, phase: c.Phase, variants: make(map[string]*variantCounters, len(c.Variants))}
	for _, v := range c.Variants {
		ec.variants[v.Name] = &variantCounters{customers: map[uint64]struct{}{}}
	}
	cc.exp.Store(ec)
	if old != nil {
		t.pendMu.Lock()
		t.retired = append(t.retired, old)
		t.pendMu.Unlock()
	}
}

// redeemed queues what redemption r adds to its campaigns' days (the day
// it was made) and to its experiments' variants; rolledBack queues it as
// rolled back instead. subject is who redeemed.
func (t *campaignTable) redeemed(r *policies.Redemption, subject string, rolledBack bool) {
	day := stats.DayOf(r.CreatedAt)
	add := func(k stats.Key, discount int64, redeemer bool) {
		d := stats.Delta{Key: k}
		if rolledBack {
			d.RolledBack, d.RolledBackDiscount, d.RolledBackRevenue = 1, discount, r.Total
		} else {
			d.Redemptions, d.Discount, d.Revenue = 1, discount, r.Total
			if redeemer {
				d.Redeemers = []uint64{stats.Hash(subject)}
			}
		}
		t.pending = append(t.pending, d)
	}
	t.pendMu.Lock()
	defer t.pendMu.Unlock()
	for _, c := range r.Campaigns {
		add(stats.Key{Campaign: c.Campaign, Day: day}, c.Amount, false)
	}
	for _, e := range r.Variants {
		var discount int64
		for _, c := range r.Campaigns {
			if c.Campaign == e.Campaign {
				discount = c.Amount
			}
		}
		add(stats.Key{Campaign: e.Campaign, Phase: e.Phase, Variant: e.Variant}, discount, true)
	}
}

// collect is every count gained since the last collect, evaluate's dated
// day. The caller holds flushMu.
func (t *campaignTable) collect(day stats.Day) []stats.Delta {
	t.pendMu.Lock()
	out := t.pending
	t.pending = nil
	retired := t.retired
	t.retired = nil
	t.pendMu.Unlock()
	for id, c := range *t.byID.Load() {
		if id == "" {
			continue // codes that matched no campaign
		}
		d := stats.Delta{Key: stats.Key{Campaign: id, Day: day}}
		a := c.applied[opEvaluate].Load()
		d.Applied, c.flushedApplied = int64(a-c.flushedApplied), a
		for ri, reason := range policies.Reasons {
			v := c.rejected[int(opEvaluate)*len(policies.Reasons)+ri].Load()
			if n := v - c.flushedRejected[ri]; n > 0 {
				if d.Rejections == nil {
					d.Rejections = map[string]int64{}
				}
				d.Rejections[string(reason)] = int64(n)
			}
			c.flushedRejected[ri] = v
		}
		if d.Applied > 0 || d.Rejections != nil {
			out = append(out, d)
		}
		if ec := c.exp.Load(); ec != nil {
			out = ec.collect(out)
		}
	}
	for _, ec := range retired {
		out = ec.collect(out)
	}
	return out
}

// collect appends what ec counted since the last flush to out.
func (ec *experimentCounters) collect(out []stats.Delta) []stats.Delta {
	for name, vc := range ec.variants {
		e := vc.exposures.Load()
		n := e - vc.flushed
		vc.flushed = e
		vc.mu.Lock()
		var hashes []uint64
		if len(vc.customers) > 0 {
			hashes = make([]uint64, 0, len(vc.customers))
			for h := range vc.customers {
				hashes = append(hashes, h)
			}
			clear(vc.customers)
		}
		vc.mu.Unlock()
		if n > 0 || hashes != nil {
			d := stats.Delta{Key: stats.Key{Campaign: ec.campaign, Phase: ec.phase, Variant: name}, Customers: hashes}
			d.Exposures = int64(n)
			out = append(out, d)
		}
	}
	return out
}

// flushStats hands the counts gained since the last flush to the keeper;
// what it fails to keep waits for the next flush.
// Without a keeper the counts are collected and dropped, so that what
// waits for a flush does not grow.
func (s *Server) flushStats(ctx context.Context) error {
	t := &s.metrics.campaigns
	t.flushMu.Lock()
	defer t.flushMu.Unlock()
	deltas := t.collect(stats.DayOf(s.engine.Now()))
	if len(deltas) == 0 || s.stats == nil {
		return nil
	}
	if err := s.stats.Add(ctx, deltas); err != nil {
		t.pendMu.Lock()
		t.pending = append(deltas, t.pending...)
		t.pendMu.Unlock()
		return err
	}
	return nil
}

// statsLoop flushes every interval until ctx ends, then once more.
func (s *Server) statsLoop(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	every := s.cfg.StatsInterval
	if every <= 0 {
		every = time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := s.flushStats(context.WithoutCancel(ctx)); err != nil && s.log != nil {
				s.log.Error("flushing campaign statistics", "err", err)
			}
			return
		case <-tick.C:
			if err := s.flushStats(ctx); err != nil && s.log != nil {
				s.log.Warn("flushing campaign statistics (kept for the next flush)", "err", err)
			}
		}
	}
}
