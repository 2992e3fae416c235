package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/policies/webhook"
)

// BenchmarkDelivery commits redemptions from 64 callers: with no
// endpoint (none), with one endpoint whose notices only queue (outbox: the
// cost of writing them in the commits), and while the worker delivers
// them to a local receiver in this process with 16 in flight
// (delivering). commits/s of the three in the same run are the ratios;
// delivered/s and the p99 delay from a notice's time (taken before its
// commit) to its receipt are the delivery's figures.
func BenchmarkDelivery(b *testing.B) {
	for _, mode := range []string{"none", "outbox", "delivering"} {
		b.Run(mode, func(b *testing.B) {
			var mu sync.Mutex
			var delays []time.Duration
			var got atomic.Int64
			rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var n struct{ At time.Time }
				body, _ := io.ReadAll(r.Body)
				json.Unmarshal(body, &n)
				d := time.Since(n.At)
				mu.Lock()
				delays = append(delays, d)
				mu.Unlock()
				got.Add(1)
			}))
			defer rc.Close()
			cfg := store.DefaultConfig(b.TempDir())
			s, err := store.Open(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			if mode != "none" {
				wc := webhook.DefaultConfig()
				wc.Endpoints = []webhook.Endpoint{{Name: "crm", URL: rc.URL, Secret: key}}
				w, err := webhook.New(wc, s, nil)
				if err != nil {
					b.Fatal(err)
				}
				if err := w.Configure(ctx); err != nil {
					b.Fatal(err)
				}
				if mode == "delivering" {
					go func() { defer close(done); w.Run(ctx) }()
				}
			}
			if mode != "delivering" {
				close(done)
			}
			defer func() { cancel(); <-done }()
			var seq atomic.Int64
			camps := []policies.RedeemedCampaign{{Campaign: "c", Amount: 100, Limits: policies.Limits{Redemptions: 1 << 40}}}
			b.SetParallelism(64)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := seq.Add(1)
					id := fmt.Sprintf("rd_%012d", n)
					r := &policies.Redemption{ID: id, IdempotencyKey: "k" + id, RequestHash: "h", CustomerID: fmt.Sprint("u", n%1000),
						CreatedAt: time.Now(), Currency: "EUR", Campaigns: camps, Response: []byte(`{}`)}
					if _, _, _, err := s.Commit(context.Background(), r); err != nil {
						b.Error(err)
						return
					}
				}
			})
			committed := time.Since(start)
			b.ReportMetric(float64(b.N)/committed.Seconds(), "commits/s")
			if mode != "delivering" {
				return
			}
			for deadline := time.Now().Add(time.Minute); got.Load() < int64(b.N); time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					b.Fatalf("%d of %d delivered", got.Load(), b.N)
				}
			}
			all := time.Since(start)
			b.StopTimer()
			mu.Lock()
			slices.Sort(delays)
			p99 := delays[len(delays)*99/100]
			mu.Unlock()
			b.ReportMetric(float64(b.N)/all.Seconds(), "delivered/s")
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
		})
	}
}
