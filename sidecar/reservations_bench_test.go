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
	"github.com/promoedge/promoedge/policies/store"
)

// holdEngine is an engine over a real store with limited campaigns (none
// runs out in a benchmark): what a reservation holds is every kind of
// limit a redemption takes.
func holdEngine(b *testing.B) (*policies.Engine, *store.Store) {
	b.Helper()
	files := map[string]string{
		".manifest":                        `{"revision":"hb","roots":["promo"]}`,
		"promo/campaigns/count/data.json":  `{"limits":{"redemptions":1000000000},"effects":[{"type":"amount_off","amount":100}]}`,
		"promo/campaigns/budget/data.json": `{"limits":{"budget":100000000000,"per_customer":1000000},"effects":[{"type":"percent_off","percent":10}]}`,
		"promo/campaigns/earn/data.json":   `{"effects":[{"type":"points","points":5}]}`,
	}
	return storeEngine(b, files, nil)
}

func holdRequest(b *testing.B, n int64) *policies.RedeemRequest {
	req, err := policies.DecodeRequest([]byte(fmt.Sprintf(`{"customer":{"id":"u-%d"},"cart":{"currency":"USD","items":[{"id":"l1","quantity":2,"unit_price":2500}]}}`, n%1000)), time.Now())
	if err != nil {
		b.Fatal(err)
	}
	return &policies.RedeemRequest{Request: req, OrderID: fmt.Sprint("o", n), IdempotencyKey: fmt.Sprint("k", n), Hash: "h"}
}

// clients runs f(i) for i in [0, n) on 64 goroutines and returns the wall
// time and each call's latency, sorted.
func clients(n int, f func(i int) error) (time.Duration, []time.Duration, error) {
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var first error
	var wg sync.WaitGroup
	start := time.Now()
	for range 64 {
		wg.Go(func() {
			var mine []time.Duration
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				t := time.Now()
				if err := f(i); err != nil {
					mu.Lock()
					first = err
					mu.Unlock()
					return
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return time.Since(start), lat, first
}

// BenchmarkReservationCost: rounds of 256 redeems, 256 reservations and
// the 256 commits of those, each at 64 clients, eight rounds an
// iteration, the redeems first in even rounds and last in odd ones:
// x-redeem is the median over rounds of each one's wall time over that
// round's redeems' (the bounds: a reservation at most 1.5×, a
// commit at most 1.2×). Short rounds keep the machine's other load from
// falling on one side of a ratio.
func BenchmarkReservationCost(b *testing.B) {
	e, _ := holdEngine(b)
	ctx := context.Background()
	const round = 256
	var seq atomic.Int64
	var reserveX, commitX []float64
	var cpu [3]time.Duration // redeem, reserve, commit
	var redeemAll time.Duration
	phase := func(k int, f func(i int) error) time.Duration {
		c0 := cpuTime()
		took, _, err := clients(round, f)
		if err != nil {
			b.Fatal(err)
		}
		cpu[k] += cpuTime() - c0
		return took
	}
	redeems := func() time.Duration {
		return phase(0, func(int) error {
			_, err := e.Redeem(ctx, holdRequest(b, seq.Add(1)))
			return err
		})
	}
	rounds := 0
	oneRound := func() {
		var redeem time.Duration
		if rounds%2 == 0 {
			redeem = redeems()
		}
		ids := make([]string, round)
		customers := make([]int64, round)
		reserve := phase(1, func(i int) error {
			n := seq.Add(1)
			rc, err := e.Reserve(ctx, holdRequest(b, n), time.Hour)
			if err == nil {
				ids[i], customers[i] = rc.Redemption.ID, n
			}
			return err
		})
		commit := phase(2, func(i int) error {
			rr := holdRequest(b, customers[i]) // the same customer
			rr.IdempotencyKey = "c" + rr.IdempotencyKey
			_, err := e.CommitReservation(ctx, ids[i], rr)
			return err
		})
		if rounds%2 == 1 {
			redeem = redeems()
		}
		rounds++
		redeemAll += redeem
		reserveX = append(reserveX, reserve.Seconds()/redeem.Seconds())
		commitX = append(commitX, commit.Seconds()/redeem.Seconds())
	}
	for b.Loop() {
		for range 8 {
			oneRound()
		}
	}
	slices.Sort(reserveX)
	slices.Sort(commitX)
	b.ReportMetric(float64(redeemAll.Microseconds())/float64(rounds*round), "redeem-µs/op")
	b.ReportMetric(reserveX[len(reserveX)/2], "reserve-x-redeem")
	b.ReportMetric(commitX[len(commitX)/2], "commit-x-redeem")
	b.ReportMetric(cpu[1].Seconds()/cpu[0].Seconds(), "reserve-cpu-x")
	b.ReportMetric(cpu[2].Seconds()/cpu[0].Seconds(), "commit-cpu-x")
}

// BenchmarkOpenReservations: evaluate (one client, median latency) and
// redeem (64 clients, median latency) on a store with 100,000
// reservations open against one with none, in short rounds that alternate
// which goes first: the ratios are medians over rounds (the bound:
// within 1.1×).
func BenchmarkOpenReservations(b *testing.B) {
	const open = 100_000
	ctx := context.Background()
	none, _ := holdEngine(b)
	many, _ := holdEngine(b)
	var seq atomic.Int64
	if _, _, err := clients(open, func(int) error {
		_, err := many.Reserve(ctx, holdRequest(b, seq.Add(1)), 24*time.Hour)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	eval := func(e *policies.Engine) time.Duration {
		var lat []time.Duration
		for range 500 {
			req := holdRequest(b, seq.Add(1)).Request
			t := time.Now()
			if _, err := e.Evaluate(ctx, req); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(t))
		}
		slices.Sort(lat)
		return lat[len(lat)/2]
	}
	redeem := func(e *policies.Engine) time.Duration {
		_, lat, err := clients(512, func(int) error {
			_, err := e.Redeem(ctx, holdRequest(b, seq.Add(1)))
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		return lat[len(lat)/2]
	}
	var evalX, redeemX []float64
	var redeemNone time.Duration
	rounds := 0
	b.ResetTimer()
	for b.Loop() {
		for range 4 {
			first, second := none, many
			if rounds%2 == 1 {
				first, second = many, none
			}
			e1, e2 := eval(first), eval(second)
			r1, r2 := redeem(first), redeem(second)
			if rounds%2 == 1 {
				e1, e2, r1, r2 = e2, e1, r2, r1
			}
			evalX = append(evalX, float64(e2)/float64(e1))
			redeemX = append(redeemX, float64(r2)/float64(r1))
			redeemNone += r1
			rounds++
		}
	}
	slices.Sort(evalX)
	slices.Sort(redeemX)
	b.ReportMetric(evalX[len(evalX)/2], "evaluate-x-none")
	b.ReportMetric(redeemX[len(redeemX)/2], "redeem-x-none")
	b.ReportMetric(float64(redeemNone.Microseconds())/float64(rounds), "redeem-p50-µs")
}
