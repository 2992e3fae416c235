package sidecar_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar"
)

// BenchmarkEvaluateStats is POST /v1/evaluate on a bundle of ten
// campaigns, one an experiment, with no stats keeper ("without") and with
// the counts flushed to a bbolt file every second (the default) ("with"),
// in the same run. The counting in memory runs in both (a server without
// a keeper counts and drops), so the ratio of the two is what the flush
// to the file costs evaluate; BenchmarkEvaluateWithStats and
// BenchmarkStatsCount time the counting itself.
func BenchmarkEvaluateStats(b *testing.B) {
	campaigns := map[string]string{"ab": abCampaignAuto}
	for i := range 9 {
		campaigns[fmt.Sprint("c", i)] = fmt.Sprintf(`{"priority":%d,"effects":[{"type":"amount_off","amount":%d}]}`, i, 10+i)
	}
	rev := writeBundle(b, b.TempDir(), "bench", campaigns)
	for _, keep := range []bool{false, true} {
		name := map[bool]string{false: "without", true: "with"}[keep]
		b.Run(name, func(b *testing.B) {
			e := policies.NewEngine(policies.Config{})
			e.Swap(rev)
			deps := sidecar.Deps{Engine: e}
			if keep {
				st, err := store.Open(store.DefaultConfig(filepath.Join(b.TempDir(), "data")))
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { st.Close() })
				deps.Stats = st
			}
			cfg := sidecar.DefaultConfig()
			cfg.StatsInterval = time.Second // the default
			srv, err := sidecar.New(cfg, deps)
			if err != nil {
				b.Fatal(err)
			}
			client := serveInMemory(b, srv)
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			req.SetRequestURI("http://sidecar/v1/evaluate")
			req.Header.SetMethod("POST")
			req.Header.SetContentType("application/json")
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				i++
				req.SetBodyString(fmt.Sprintf(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":5000}]},"customer":{"id":"u%d"}}`, i%5000))
				if err := client.Do(req, resp); err != nil || resp.StatusCode() != 200 {
					b.Fatalf("%v %d %s", err, resp.StatusCode(), resp.Body())
				}
			}
		})
	}
}

const abCampaignAuto = `{"name":"A/B","priority":50,"variants":[
 {"name":"ten","weight":45,"effects":[{"type":"percent_off","percent":10}]},
 {"name":"fifteen","weight":45,"effects":[{"type":"percent_off","percent":15}]},
 {"name":"control","weight":10,"holdout":true}]}`
