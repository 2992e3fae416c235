package store

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// BenchmarkExpiry: 100,000 holds expiring over ten seconds (10,000 a
// second: 100,000 open reservations of 15 minutes expire at 111 a second)
// are released by the expirer. max-lag-ms is the most any hold stood past
// its expiry (sampled every 5 ms; the promise is under 1,000), released/s
// the rate over the window.
func BenchmarkExpiry(b *testing.B) {
	const n = 100_000
	const window = 10 * time.Second
	for range b.N {
		s, err := Open(DefaultConfig(b.TempDir()))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		a := policies.RedeemedCampaign{Campaign: "a", Amount: 1, Limits: policies.Limits{Redemptions: 1 << 40}}
		first := time.Now().Add(20 * time.Second)
		var seq atomic.Int64
		var wg sync.WaitGroup
		for range 64 {
			wg.Go(func() {
				for i := seq.Add(1); i <= n; i = seq.Add(1) {
					r := hold(fmt.Sprintf("rs_%09d", i), fmt.Sprint("k", i), fmt.Sprint("u", i%1000), 0, a)
					exp := first.Add(time.Duration(i) * window / n)
					r.ExpiresAt = &exp
					if _, _, _, err := s.Commit(ctx, r); err != nil {
						b.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if time.Now().After(first) {
			b.Fatal("making the holds took longer than the 20 s before they expire")
		}
		var lag time.Duration
		for {
			u, _ := s.Used(ctx, "a", "")
			if u.Redemptions == 0 {
				break
			}
			// The holds expire in id order: the oldest standing expired at
			// first + (n - u) of the window.
			oldest := first.Add(time.Duration(n-u.Redemptions) * window / n)
			lag = max(lag, time.Since(oldest))
			time.Sleep(5 * time.Millisecond)
		}
		b.ReportMetric(float64(lag.Milliseconds()), "max-lag-ms")
		b.ReportMetric(n/time.Since(first).Seconds(), "released/s")
		s.Close()
	}
}
