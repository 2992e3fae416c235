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
// 1,000 customers in turn: alone ("without"), and followed by the
// statistics' counting with a flush to a bbolt file every 100 ms running
// beside it ("with"). Run both in one run and compare ns/op: that ratio is
// what keeping statistics costs evaluate, off the HTTP noise.
func BenchmarkEvaluateWithStats(b *testing.B) {
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
	reqs := make([]*policies.Request, 1000)
	e := policies.NewEngine(policies.Config{})
	e.Swap(rev)
	for i := range reqs {
		body := fmt.Sprintf(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"SKU-1","categories":["c1"],"quantity":2,"unit_price":5000}]},"customer":{"id":"u%d"}}`, i)
		if reqs[i], err = e.Decode([]byte(body)); err != nil {
			b.Fatal(err)
		}
	}
	for _, keep := range []bool{false, true} {
		b.Run(map[bool]string{false: "without", true: "with"}[keep], func(b *testing.B) {
			st, err := store.Open(store.DefaultConfig(b.TempDir()))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			s, err := New(DefaultConfig(), Deps{Engine: e, Stats: st})
			if err != nil {
				b.Fatal(err)
			}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			if keep {
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
			}
			ctx := context.Background()
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				req := reqs[i%len(reqs)]
				i++
				dec, err := e.Evaluate(ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				if keep {
					s.metrics.evaluated(rev, dec, req.Subject())
				}
			}
			close(stop)
			wg.Wait()
		})
	}
}
