package sidecar

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/bundle/bundletest"
)

// BenchmarkMetricsPerEvaluate is what the metrics add to one evaluate,
// alone: the latency observation and the campaign counters of a real
// decision on the workload of BenchmarkEvaluateHTTP. Compare it with that
// benchmark's ns/op.
func BenchmarkMetricsPerEvaluate(b *testing.B) {
	for _, mix := range []bundletest.Mix{bundletest.Mixed, bundletest.AllAuto} {
		for _, n := range []int{10, 100, 1000} {
			b.Run(fmt.Sprintf("%s-%d", mix, n), func(b *testing.B) {
				dir := b.TempDir()
				body, err := bundletest.Write(dir, n, mix)
				if err != nil {
					b.Fatal(err)
				}
				rev, err := bundle.LoadPath(context.Background(), dir)
				if err != nil {
					b.Fatal(err)
				}
				e := policies.NewEngine(policies.Config{})
				e.Swap(rev)
				req, err := e.Decode(body)
				if err != nil {
					b.Fatal(err)
				}
				dec, err := e.Evaluate(context.Background(), req)
				if err != nil {
					b.Fatal(err)
				}
				m := NewMetrics()
				b.ReportMetric(float64(len(dec.Applied)+len(dec.Rejected)), "campaigns/op")
				b.ReportAllocs()
				for b.Loop() {
					start := time.Now()
					m.evaluated(rev, dec, "")
					m.request("/v1/evaluate", "POST", 200, start)
				}
			})
		}
	}
}
