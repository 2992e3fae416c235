package bundle_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/bundle/bundletest"
)

// workload loads a synthetic bundle of n campaigns (scripts/gen-bundle.py's mix)
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

// cpuTime is the CPU time this process has used (user and system, the
// garbage collector's included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loop runs op b.N times and reports, beside ns/op, the CPU time per
// operation: on a shared machine ns/op grows with the other processes'
// load, cpu-µs/op much less.
func loop(b *testing.B, op func() error) {
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N)/1e3, "cpu-µs/op")
}

// BenchmarkEvaluate prices the 20-line cart of the performance workload on
// bundles of 10, 100 and 1,000 campaigns: "decode+evaluate" is what
// POST /v1/evaluate does in process (sidecar/evaluate.go), "evaluate" the
// pricing of an already decoded request. Compare mixed-1000 with mixed-10
// of the same run for the growth in the number of campaigns, and
// mixed with mixed-distinct, all-auto with all-auto-distinct, for what
// evaluating a rule once for all its copies saves.
func BenchmarkEvaluate(b *testing.B) {
	for _, mix := range []bundletest.Mix{bundletest.Mixed, bundletest.MixedDistinct, bundletest.AllAuto, bundletest.AllAutoDistinct} {
		for _, n := range []int{10, 100, 1000} {
			b.Run(fmt.Sprintf("%s-%d", mix, n), func(b *testing.B) {
				e, body := workload(b, n, mix)
				ctx := context.Background()
				b.Run("decode+evaluate", func(b *testing.B) {
					loop(b, func() error {
						req, err := e.Decode(body)
						if err == nil {
							_, err = e.Evaluate(ctx, req)
						}
						return err
					})
				})
				b.Run("evaluate", func(b *testing.B) {
					req, err := e.Decode(body)
					if err != nil {
						b.Fatal(err)
					}
					loop(b, func() error {
						_, err := e.Evaluate(ctx, req)
						return err
					})
				})
			})
		}
	}
}
