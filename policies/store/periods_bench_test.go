package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

// benchEngine is an engine on a real store with one automatic campaign
// whose limits are limits (a JSON object).
func benchEngine(b *testing.B, limits string) *policies.Engine {
	b.Helper()
	st, err := Open(DefaultConfig(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	fsys := fstest.MapFS{
		".manifest": {Data: []byte(`{"revision":"r1","roots":["promo"]}`)},
		"promo/campaigns/c/data.json": {Data: []byte(`{"timezone":"Europe/Paris","effects":[{"type":"percent_off","percent":10}],
			"limits":` + limits + `}`)},
	}
	rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "bench"}, fsys)
	if err != nil {
		b.Fatal(err)
	}
	eng := policies.NewEngine(policies.Config{Usage: st, Committer: st})
	eng.Swap(rev)
	return eng
}

var periodBenchLimits = []struct{ name, limits string }{
	{"plain", `{"redemptions":1000000000,"per_customer":1000000,"budget":1000000000000}`},
	{"per_period", `{"redemptions":1000000000,"per_customer":1000000,"budget":1000000000000,
		"per_period":{"period":"day","redemptions":1000000000,"per_customer":1000000,"budget":1000000000000}}`},
}

// BenchmarkEvaluatePeriods is evaluate on a real store with a campaign's
// plain limits, and with the same plus per-period ones (one more read of
// the period's counters), in the same run: compare ns/op and allocs/op.
func BenchmarkEvaluatePeriods(b *testing.B) {
	for _, tc := range periodBenchLimits {
		b.Run(tc.name, func(b *testing.B) {
			eng := benchEngine(b, tc.limits)
			body := []byte(`{"cart":{"currency":"EUR","items":[{"id":"l1","sku":"A","quantity":2,"unit_price":1999}]},"customer":{"id":"u1"}}`)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				req, err := eng.Decode(body)
				if err != nil {
					b.Fatal(err)
				}
				d, err := eng.Evaluate(context.Background(), req)
				if err != nil || len(d.Applied) != 1 {
					b.Fatal(d, err)
				}
			}
		})
	}
}

// BenchmarkRedeemPeriods is redeem (price, commit with fsync) at 64
// callers, plain limits against plain plus per-period ones, same run.
func BenchmarkRedeemPeriods(b *testing.B) {
	for _, tc := range periodBenchLimits {
		b.Run(tc.name+"/callers=64", func(b *testing.B) {
			eng := benchEngine(b, tc.limits)
			var seq atomic.Int64
			b.SetParallelism(64 / max(1, testingProcs()))
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := seq.Add(1)
					req, err := eng.Decode(fmt.Appendf(nil, `{"cart":{"currency":"EUR","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1999}]},"customer":{"id":"u%d"}}`, n%5000))
					if err != nil {
						b.Error(err)
						return
					}
					rc, err := eng.Redeem(context.Background(), &policies.RedeemRequest{Request: req, OrderID: "o", IdempotencyKey: fmt.Sprint("k", n), Hash: "h"})
					if err != nil || len(rc.Decision.Applied) != 1 {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "redeems/s")
		})
	}
}
