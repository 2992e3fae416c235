package bundle_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/bundle/bundletest"
)

// catalogEngine loads the catalog workload in dir, natively or with every
// rule in OPA (Config.WhenInRego, the path before the native evaluator),
// and returns the time the load took.
func catalogEngine(b *testing.B, dir string, inRego bool) (*policies.Engine, time.Duration) {
	b.Helper()
	start := time.Now()
	rev, err := bundle.LoadPathWith(context.Background(), bundle.Config{Source: dir, WhenInRego: inRego}, dir)
	if err != nil {
		b.Fatal(err)
	}
	load := time.Since(start)
	e := policies.NewEngine(policies.Config{Now: func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }})
	e.Swap(rev)
	runtime.GC() // the loader's garbage is not the request's
	return e, load
}

// BenchmarkCatalog prices the catalog workload's 20-line cart (decode +
// evaluate, as POST /v1/evaluate does in process) on catalogs of 100 and
// 1,000 campaigns, mixed (scripts/gen-catalog.py) and all automatic, with
// the when: blocks decided natively and, as the peer in the same run, by
// OPA on their generated Rego. Each side is loaded alone: the other's
// heap does not weigh on its garbage collection, which runs at the
// binary's target (sidecarGC) unless GOGC is set, as in the binary.
func BenchmarkCatalog(b *testing.B) {
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(sidecarGC))
	}
	for _, allAuto := range []bool{false, true} {
		for _, n := range []int{100, 1000} {
			mix := "mixed"
			if allAuto {
				mix = "all-auto"
			}
			dir := b.TempDir()
			body, err := bundletest.WriteCatalog(dir, n, allAuto)
			if err != nil {
				b.Fatal(err)
			}
			for _, side := range []string{"native", "opa"} {
				b.Run(fmt.Sprintf("%s-%d/%s", mix, n, side), func(b *testing.B) {
					e, load := catalogEngine(b, dir, side == "opa")
					ctx := context.Background()
					loop(b, func() error {
						req, err := e.Decode(body)
						if err == nil {
							_, err = e.Evaluate(ctx, req)
						}
						return err
					})
					b.ReportMetric(float64(load.Milliseconds()), "load-ms")
				})
			}
		}
	}
}

// sidecarGC is the GC target promoedge serves with (cmd/promoedge's
// gcPercent; RATIONALE.md: why GOGC 400): a request's garbage costs what
// it costs there. `GOGC=100 go test -bench Catalog` measures the default.
const sidecarGC = 400
