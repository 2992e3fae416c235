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

// round is one measured run of n commits from 64 callers.
type round struct {
	commits   float64 // commits/s
	delivered float64 // events/s, from the first commit to the last receipt
	p99       time.Duration
}

// commitRound commits n redemptions from 64 callers on a fresh store:
// mode "none" has no endpoint; "outbox" one whose notices only queue
// (the cost of writing them in the commits); "delivering" one that the
// worker delivers to, with 16 in flight, to a receiver in this process,
// which measures each notice's delay from its time (taken before its
// commit) to its receipt.
func commitRound(b *testing.B, mode string, n int) round {
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
	s, err := store.Open(store.DefaultConfig(b.TempDir()))
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
	camps := []policies.RedeemedCampaign{{Campaign: "c", Amount: 100, Limits: policies.Limits{Redemptions: 1 << 40}}}
	var seq atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range 64 {
		wg.Go(func() {
			for i := seq.Add(1); i <= int64(n); i = seq.Add(1) {
				id := fmt.Sprintf("rd_%012d", i)
				r := &policies.Redemption{ID: id, IdempotencyKey: "k" + id, RequestHash: "h", CustomerID: fmt.Sprint("u", i%1000),
					CreatedAt: time.Now(), Currency: "EUR", Campaigns: camps, Response: []byte(`{}`)}
				if _, _, _, err := s.Commit(context.Background(), r); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	out := round{commits: float64(n) / time.Since(start).Seconds()}
	if mode != "delivering" {
		return out
	}
	for deadline := time.Now().Add(time.Minute); got.Load() < int64(n); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d delivered", got.Load(), n)
		}
	}
	out.delivered = float64(n) / time.Since(start).Seconds()
	mu.Lock()
	slices.Sort(delays)
	out.p99 = delays[len(delays)*99/100]
	mu.Unlock()
	return out
}

// BenchmarkDelivery runs the three modes of commitRound in alternating
// rounds of 10,000 commits (b.N rounds of each) and reports medians: the
// commits/s of outbox and delivering as ratios of none's in the same
// round, delivered events/s and the p99 delay from commit to receipt.
func BenchmarkDelivery(b *testing.B) {
	var outbox, delivering, rate, p99 []float64
	for range b.N {
		none := commitRound(b, "none", 10_000)
		o := commitRound(b, "outbox", 10_000)
		d := commitRound(b, "delivering", 10_000)
		outbox = append(outbox, o.commits/none.commits)
		delivering = append(delivering, d.commits/none.commits)
		rate, p99 = append(rate, d.delivered), append(p99, float64(d.p99.Microseconds())/1000)
	}
	b.ReportMetric(median(outbox), "outbox/none")
	b.ReportMetric(median(delivering), "delivering/none")
	b.ReportMetric(median(rate), "delivered/s")
	b.ReportMetric(median(p99), "p99-ms")
}

func median(v []float64) float64 {
	slices.Sort(v)
	return v[len(v)/2]
}
