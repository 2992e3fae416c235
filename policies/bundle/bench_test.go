package bundle_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/bundle/bundletest"
)

// workload loads a synthetic bundle of n campaigns (gen_bundle.py's mix)
// into an engine and returns it with the request body that goes with it.
func workload(tb testing.TB, n int, mix bundletest.Mix) (*policies.Engine, []byte) {
	tb.Helper()
	dir := tb.TempDir()
	body, err := bundletest.Write(dir, n, mix)
	if err != nil {
		tb.Fatal(err)
	}
	rev, err := bundle.LoadPath(context.Background(), dir)
	if err != nil {
		tb.Fatal(err)
	}
	e := policies.NewEngine(policies.Config{Now: func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }})
	e.Swap(rev)
	return e, body
}

// BenchmarkEvaluate prices the 20-line cart of the performance workload on
// bundles of 10, 100 and 1,000 campaigns: "decode+evaluate" is what
// POST /v1/evaluate does in process (sidecar/evaluate.go), "evaluate" the
// pricing of an already decoded request. Compare mixed-1000 with mixed-10
// of the same run for the growth in the number of campaigns.
func BenchmarkEvaluate(b *testing.B) {
	for _, mix := range []bundletest.Mix{bundletest.Mixed, bundletest.AllAuto} {
		for _, n := range []int{10, 100, 1000} {
			b.Run(fmt.Sprintf("%s-%d", mix, n), func(b *testing.B) {
				e, body := workload(b, n, mix)
				ctx := context.Background()
				b.Run("decode+evaluate", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						req, err := e.Decode(body)
						if err != nil {
							b.Fatal(err)
						}
						if _, err := e.Evaluate(ctx, req); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run("evaluate", func(b *testing.B) {
					req, err := e.Decode(body)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					for b.Loop() {
						if _, err := e.Evaluate(ctx, req); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		}
	}
}
