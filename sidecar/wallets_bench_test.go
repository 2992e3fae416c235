package sidecar_test

import (
	"context"
	"fmt"
	"runtime"
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
// reward spend (the bound: at least 0.8× the plain throughput),
// in alternating rounds on fresh stores seeded alike (alternateRounds):
// reward-ratio, with each kind's median throughput and p50/p99.
func BenchmarkRedeemRewardSpend(b *testing.B) {
	alternateRounds(b, "reward", 5, 700*time.Millisecond, func(reward bool) []time.Duration {
		return redeemRound(b, reward, 64, 700*time.Millisecond)
	})
}

// redeemRound runs clients redeemers for d on a fresh store whose 64
// customers hold points, and returns the redeems' latencies.
func redeemRound(b *testing.B, reward bool, clients int, d time.Duration) []time.Duration {
	e, st := walletEngine(b, true)
	defer st.Close()
	for i := range 64 {
		c := fmt.Sprintf("u-%d", i)
		st.Adjust(context.Background(), &policies.Adjustment{Customer: c, Points: policies.MaxPoints, Reason: "b", IdempotencyKey: c, At: walletT0, Terms: policies.LotTerms{Active: walletT0}})
	}
	var rw []string
	if reward {
		rw = []string{"five-off"}
	}
	return runRedeems(b, e, clients, d, func(n int64) (*policies.Request, error) {
		return benchRequest(b, fmt.Sprintf("u-%d", n%64), rw...), nil
	})
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
