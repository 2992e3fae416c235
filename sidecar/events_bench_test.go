package sidecar_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar"
)

// eventsServer serves, over an in-memory listener, a bundle with a
// loyalty program, a campaign, a campaign of generated codes and one
// trigger per event type: cart_abandoned schedules one (after 1h),
// signed_up fires one at once (a code issued, its notice written).
func eventsServer(b *testing.B) *fasthttp.HostClient {
	b.Helper()
	files := map[string]string{
		".manifest":                        `{"revision":"eb","roots":["promo"]}`,
		"promo/loyalty/data.yaml":          testProgram,
		"promo/campaigns/ten/data.json":    `{"effects":[{"type":"percent_off","percent":10}]}`,
		"promo/campaigns/back/data.json":   `{"unique_codes":true,"effects":[{"type":"amount_off","amount":500}]}`,
		"promo/triggers/later/data.json":   `{"event":"cart_abandoned","after":"1h","unless":["order_placed"],"actions":[{"type":"issue_code","campaign":"back"}]}`,
		"promo/triggers/at-once/data.json": `{"event":"signed_up","actions":[{"type":"issue_code","campaign":"back"}]}`,
	}
	e, st := storeEngine(b, files, func(cfg *policies.Config, st *store.Store) { cfg.Wallets, cfg.Events = st, st })
	srv, err := sidecar.New(sidecar.DefaultConfig(), sidecar.Deps{Engine: e, State: st})
	if err != nil {
		b.Fatal(err)
	}
	c := serveInMemory(b, srv) // stopped before storeEngine's cleanup closes the store
	c.MaxConns = 256
	return c
}

// BenchmarkEventsVsRedeem: POST /v1/events at 64 clients, with one trigger
// scheduled (event=scheduled) or fired at once (event=fired), against
// POST /v1/redemptions on the same server in the same run (the issue's
// bound: events at least 0.5× a redeem's throughput); req/s and p99.
func BenchmarkEventsVsRedeem(b *testing.B) {
	client := eventsServer(b)
	var seq atomic.Int64
	bodies := map[string]func(n int64) []byte{
		"redeem": func(n int64) []byte { return []byte(checkout(fmt.Sprint("o", n), fmt.Sprint("u-", n%1000))) },
		"event=scheduled": func(n int64) []byte {
			return fmt.Appendf(nil, `{"id":"e%d","type":"cart_abandoned","customer_id":"u-%d","cart_id":"c%d"}`, n, n%1000, n)
		},
		"event=fired": func(n int64) []byte {
			return fmt.Appendf(nil, `{"id":"e%d","type":"signed_up","customer_id":"u-%d"}`, n, n)
		},
	}
	paths := map[string]string{"redeem": "/v1/redemptions", "event=scheduled": "/v1/events", "event=fired": "/v1/events"}
	for _, op := range []string{"redeem", "event=scheduled", "event=fired", "redeem"} {
		b.Run(op, func(b *testing.B) {
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(max(1, 64/runtimeProcs()))
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				req.SetRequestURI("http://sidecar" + paths[op])
				req.Header.SetMethod("POST")
				req.Header.SetContentType("application/json")
				var mine []time.Duration
				for pb.Next() {
					req.SetBody(bodies[op](seq.Add(1)))
					t0 := time.Now()
					if err := client.Do(req, resp); err != nil || resp.StatusCode() != 200 {
						b.Errorf("%v %d %s", err, resp.StatusCode(), resp.Body())
						return
					}
					mine = append(mine, time.Since(t0))
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			elapsed := time.Since(start)
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			}
		})
	}
}
