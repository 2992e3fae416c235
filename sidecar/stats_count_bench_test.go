package sidecar

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/bundle/bundletest"
	"github.com/promoedge/promoedge/policies/store"
)

// BenchmarkEvaluateWithStats is the engine's evaluate of the workload of
// BenchmarkEvaluateHTTP (100 campaigns, mixed) plus an experiment, for
// 1,000 customers in turn: alone, and followed by the statistics'
// counting (the campaign table's counters and the experiment's exposures),
// with a flush to a bbolt file every 100 ms running beside both. It
// reports the two means and the overhead in percent: what keeping
// statistics costs evaluate, off the HTTP noise.
func BenchmarkEvaluateWithStats(b *testing.B) {
	e, rev, reqs := experimentWorkload(b)
	s := statsServer(b, e)
	// The two are timed in alternate blocks of 100 requests, so that the
	// load of a shared machine falls on both alike.
	ctx := context.Background()
	var took [2]time.Duration
	var n [2]int
	b.ReportAllocs()
	i, keep := 0, false
	for b.Loop() {
		if i%100 == 0 {
			keep = !keep
		}
		req := reqs[i%len(reqs)]
		i++
		start := time.Now()
		dec, err := e.Evaluate(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		k := 0
		if keep {
			s.metrics.evaluated(rev, dec, req.Subject())
			k = 1
		}
		took[k] += time.Since(start)
		n[k]++
	}
	if n[0] > 0 && n[1] > 0 {
		without, with := float64(took[0])/float64(n[0]), float64(took[1])/float64(n[1])
		b.ReportMetric(without, "ns/evaluate")
		b.ReportMetric(with, "ns/evaluate+stats")
		b.ReportMetric(100*(with-without)/without, "overhead%")
	}
}

// BenchmarkStatsCount is the statistics' counting of one decision alone
// (the decisions of BenchmarkEvaluateWithStats, 1,000 customers in turn,
// a flush every 100 ms beside it): compare its ns/op with that
// benchmark's ns/evaluate.
func BenchmarkStatsCount(b *testing.B) {
	e, rev, reqs := experimentWorkload(b)
	decs := make([]*policies.Decision, len(reqs))
	subjects := make([]string, len(decs))
	for i, req := range reqs {
		var err error
		if decs[i], err = e.Evaluate(context.Background(), req); err != nil {
			b.Fatal(err)
		}
		subjects[i] = req.Subject()
	}
	s := statsServer(b, e)
	b.ReportMetric(float64(len(decs[0].Applied)+len(decs[0].Rejected)), "campaigns/op")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.metrics.campaigns.count(rev, opEvaluate, decs[i%len(decs)], subjects[i%len(decs)])
		i++
	}
}

// experimentWorkload is an engine serving the bundle of
// BenchmarkEvaluateHTTP (100 campaigns, mixed) plus an experiment, its
// revision, and the requests of 1,000 customers.
func experimentWorkload(b *testing.B) (*policies.Engine, *policies.Revision, []*policies.Request) {
	b.Helper()
	dir := b.TempDir()
	if _, err := bundletest.Write(dir, 100, bundletest.Mixed); err != nil {
		b.Fatal(err)
	}
	exp := `{"name":"A/B","priority":1000,"variants":[
	 {"name":"ten","weight":45,"effects":[{"type":"percent_off","percent":10}]},
	 {"name":"fifteen","weight":45,"effects":[{"type":"percent_off","percent":15}]},
	 {"name":"control","weight":10,"holdout":true}]}`
	if err := os.MkdirAll(filepath.Join(dir, "promo", "campaigns", "ab"), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "promo", "campaigns", "ab", "data.json"), []byte(exp), 0o644); err != nil {
		b.Fatal(err)
	}
	rev, err := bundle.LoadPath(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	e := policies.NewEngine(policies.Config{})
	e.Swap(rev)
	reqs := make([]*policies.Request, 1000)
	for i := range reqs {
		body := fmt.Sprintf(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"SKU-1","categories":["c1"],"quantity":2,"unit_price":5000}]},"customer":{"id":"u%d"}}`, i)
		if reqs[i], err = e.Decode([]byte(body)); err != nil {
			b.Fatal(err)
		}
	}
	return e, rev, reqs
}

// statsServer is a server counting e's answers into a real store, its
// counts flushed every 100 ms (as StatsInterval does) until b ends.
func statsServer(b *testing.B, e *policies.Engine) *Server {
	b.Helper()
	st, err := store.Open(store.DefaultConfig(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(DefaultConfig(), Deps{Engine: e, Stats: st})
	if err != nil {
		b.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if err := s.flushStats(context.Background()); err != nil {
					b.Error(err)
				}
			}
		}
	})
	b.Cleanup(func() { close(stop); wg.Wait(); st.Close() })
	return s
}
