package sidecar_test

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// walletEngine is an engine over a real store serving the test program,
// with or without its wallets.
func walletEngine(b *testing.B, wallets bool) (*policies.Engine, *store.Store) {
	b.Helper()
	files := map[string]string{
		".manifest":                      `{"revision":"wb","roots":["promo"]}`,
		"promo/loyalty/data.yaml":        testProgram,
		"promo/campaigns/earn/data.json": `{"effects":[{"type":"points","per_amount":{"points":1,"amount":100}}]}`,
		"promo/campaigns/ten/data.json":  `{"effects":[{"type":"percent_off","percent":10}]}`,
	}
	return storeEngine(b, files, func(cfg *policies.Config, st *store.Store) {
		if wallets {
			cfg.Wallets = st
		}
	})
}

func benchRequest(b *testing.B, customer string, rewards ...string) *policies.Request {
	b.Helper()
	req, err := policies.DecodeRequest([]byte(checkout("", customer, rewards...)), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return req
}

// BenchmarkEvaluateWalletRead: evaluate for a signed-in customer with the
// program's wallet read (wallet=on) against the same without (the issue's
// bound: at most 20 µs more, median).
func BenchmarkEvaluateWalletRead(b *testing.B) {
	for _, on := range []bool{false, true} {
		e, st := walletEngine(b, on)
		st.Adjust(context.Background(), &policies.Adjustment{Customer: "u-1", Points: 900, Reason: "b", IdempotencyKey: "b", At: walletT0, Terms: policies.LotTerms{Active: walletT0}})
		b.Run(fmt.Sprintf("wallet=%v", on), func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				req := benchRequest(b, "u-1")
				if _, err := e.Evaluate(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRedeemRewardSpend: redeems at 64 clients, plain and with a
// reward spend (the bound: at least 0.8× the plain throughput).
// The two kinds run in alternating rounds of a fixed time, each on a
// fresh store seeded alike, so that a shared machine's load and a growing
// file weigh on both: the figure is the median of the rounds' ratios
// (reward-ratio), with each kind's median throughput and p50/p99.
func BenchmarkRedeemRewardSpend(b *testing.B) {
	const rounds, clients = 5, 64
	slice := 700 * time.Millisecond
	var ratios, tput [2][]float64
	var lat [2][]time.Duration
	for b.Loop() {
		for range rounds {
			var perSec [2]float64
			for k, reward := range []bool{false, true} {
				n, l := redeemRound(b, reward, clients, slice)
				perSec[k] = float64(n) / slice.Seconds()
				tput[k] = append(tput[k], perSec[k])
				lat[k] = append(lat[k], l...)
			}
			ratios[1] = append(ratios[1], perSec[1]/perSec[0])
		}
	}
	median := func(v []float64) float64 { slices.Sort(v); return v[len(v)/2] }
	b.ReportMetric(median(ratios[1]), "reward-ratio")
	for k, name := range []string{"plain", "reward"} {
		slices.Sort(lat[k])
		b.ReportMetric(median(tput[k]), name+"-redeems/s")
		b.ReportMetric(float64(lat[k][len(lat[k])/2].Microseconds()), name+"-p50-µs")
		b.ReportMetric(float64(lat[k][len(lat[k])*99/100].Microseconds()), name+"-p99-µs")
	}
}

// redeemRound runs clients redeemers for d on a fresh store whose 64
// customers hold points, and returns how many redeems completed and their
// latencies.
func redeemRound(b *testing.B, reward bool, clients int, d time.Duration) (int, []time.Duration) {
	e, st := walletEngine(b, true)
	for i := range 64 {
		c := fmt.Sprintf("u-%d", i)
		st.Adjust(context.Background(), &policies.Adjustment{Customer: c, Points: policies.MaxPoints, Reason: "b", IdempotencyKey: c, At: walletT0, Terms: policies.LotTerms{Active: walletT0}})
	}
	var rw []string
	if reward {
		rw = []string{"five-off"}
	}
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
				req := benchRequest(b, fmt.Sprintf("u-%d", n%64), rw...)
				rr := &policies.RedeemRequest{Request: req, OrderID: fmt.Sprint(n), IdempotencyKey: fmt.Sprint("k", n), Hash: "h"}
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
	st.Close()
	return len(lat), lat
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
