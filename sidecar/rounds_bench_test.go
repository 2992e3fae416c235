package sidecar_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// alternateRounds measures a kind of redeem against the plain one: the two
// run in alternating rounds (round(false), round(true)), each on a fresh
// set-up, so that a shared machine's load and a growing file weigh on
// both. It reports the median of the rounds' ratios as name+"-ratio", and
// each kind's median throughput and p50/p99.
func alternateRounds(b *testing.B, name string, rounds int, slice time.Duration, round func(variant bool) []time.Duration) {
	var ratios []float64
	var tput [2][]float64
	var lat [2][]time.Duration
	for b.Loop() {
		for range rounds {
			var perSec [2]float64
			for k, variant := range []bool{false, true} {
				l := round(variant)
				perSec[k] = float64(len(l)) / slice.Seconds()
				tput[k] = append(tput[k], perSec[k])
				lat[k] = append(lat[k], l...)
			}
			ratios = append(ratios, perSec[1]/perSec[0])
		}
	}
	median := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	b.ReportMetric(median(ratios), name+"-ratio")
	for k, kind := range []string{"plain", name} {
		slices.Sort(lat[k])
		b.ReportMetric(median(tput[k]), kind+"-redeems/s")
		b.ReportMetric(float64(lat[k][len(lat[k])/2].Microseconds()), kind+"-p50-µs")
		b.ReportMetric(float64(lat[k][len(lat[k])*99/100].Microseconds()), kind+"-p99-µs")
	}
}

// runRedeems runs clients redeemers on e until d has passed, each redeem
// of the request req makes for a number no other gets, and returns the
// latencies of the redeems (the request's decoding not included); the
// first error fails the benchmark.
func runRedeems(b *testing.B, e *policies.Engine, clients int, d time.Duration, req func(n int64) (*policies.Request, error)) []time.Duration {
	var seq atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for time.Now().Before(deadline) {
				n := seq.Add(1)
				r, err := req(n)
				if err != nil {
					b.Error(err)
					return
				}
				rr := &policies.RedeemRequest{Request: r, OrderID: fmt.Sprint(n), IdempotencyKey: fmt.Sprint("k", n), Hash: "h"}
				start := time.Now()
				if _, err := e.Redeem(context.Background(), rr); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return lat
}
