package sidecar_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/store"
)

// walletEngine is an engine over a real store serving the test program,
// with or without its wallets.
func walletEngine(b *testing.B, wallets bool) (*policies.Engine, *store.Store) {
	b.Helper()
	dir := b.TempDir()
	files := map[string]string{
		".manifest":                      `{"revision":"wb","roots":["promo"]}`,
		"promo/loyalty/data.yaml":        testProgram,
		"promo/campaigns/earn/data.json": `{"effects":[{"type":"points","per_amount":{"points":1,"amount":100}}]}`,
		"promo/campaigns/ten/data.json":  `{"effects":[{"type":"percent_off","percent":10}]}`,
	}
	for p, c := range files {
		full := filepath.Join(dir, "bundle", filepath.FromSlash(p))
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte(c), 0o644)
	}
	rev, err := bundle.LoadPath(context.Background(), filepath.Join(dir, "bundle"))
	if err != nil {
		b.Fatal(err)
	}
	st, err := store.Open(store.DefaultConfig(filepath.Join(dir, "data")))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	cfg := policies.Config{Usage: st, Codes: st, Committer: st}
	if wallets {
		cfg.Wallets = st
	}
	e := policies.NewEngine(cfg)
	e.Swap(rev)
	return e, st
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
// reward spend (the bound: at least 0.8× the plain throughput);
// p50 and p99 are reported.
func BenchmarkRedeemRewardSpend(b *testing.B) {
	for _, reward := range []bool{false, true} {
		e, st := walletEngine(b, true)
		for i := range 64 {
			c := fmt.Sprintf("u-%d", i)
			st.Adjust(context.Background(), &policies.Adjustment{Customer: c, Points: policies.MaxPoints, Reason: "b", IdempotencyKey: c, At: walletT0, Terms: policies.LotTerms{Active: walletT0}})
		}
		var seq atomic.Int64 // across the runs of b.Run: every key is new
		b.Run(fmt.Sprintf("reward=%v", reward), func(b *testing.B) {
			var mu sync.Mutex
			var lat []time.Duration
			b.SetParallelism(max(1, 64/runtimeProcs()))
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					n := seq.Add(1)
					var rw []string
					if reward {
						rw = []string{"five-off"}
					}
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
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			}
		})
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
