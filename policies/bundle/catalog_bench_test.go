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

// catalog loads the catalog workload of n campaigns and returns two
// engines on it: the bundle as loaded (when: blocks decided natively) and
// the same campaigns with every rule in OPA (the path before the native
// evaluator), with the request body.
func catalog(tb testing.TB, n int, allAuto bool) (native, opa *policies.Engine, body []byte) {
	tb.Helper()
	dir := tb.TempDir()
	body, err := bundletest.WriteCatalog(dir, n, allAuto)
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	rev, err := bundle.LoadPath(context.Background(), dir)
	if err != nil {
		tb.Fatal(err)
	}
	if b, ok := tb.(*testing.B); ok {
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "load-ms")
	}
	router := rev.Rules().(*policies.Router)
	opaRev, err := policies.NewRevision(rev.ID, rev.Source, rev.Campaigns(), router.Backend(bundle.BackendRego))
	if err != nil {
		tb.Fatal(err)
	}
	return engine(rev), engine(opaRev), body
}

func engine(rev *policies.Revision) *policies.Engine {
	e := policies.NewEngine(policies.Config{Now: func() time.Time { return time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) }})
	e.Swap(rev)
	return e
}

// BenchmarkCatalog prices the catalog workload's 20-line cart (decode +
// evaluate, as POST /v1/evaluate does in process) on catalogs of 100 and
// 1,000 campaigns, mixed (gen-catalog.py) and all automatic, with the
// when: blocks decided natively and, as the peer in the same run, by OPA
// on their generated Rego.
func BenchmarkCatalog(b *testing.B) {
	for _, allAuto := range []bool{false, true} {
		for _, n := range []int{100, 1000} {
			mix := "mixed"
			if allAuto {
				mix = "all-auto"
			}
			native, opa, body := catalog(b, n, allAuto)
			for _, side := range []struct {
				name string
				e    *policies.Engine
			}{{"native", native}, {"opa", opa}} {
				b.Run(fmt.Sprintf("%s-%d/%s", mix, n, side.name), func(b *testing.B) {
					ctx := context.Background()
					loop(b, func() error {
						req, err := side.e.Decode(body)
						if err == nil {
							_, err = side.e.Evaluate(ctx, req)
						}
						return err
					})
				})
			}
		}
	}
}
