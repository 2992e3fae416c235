package store

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// BenchmarkCommit is the store's commit path alone (consume the limits,
// write the redemption, the ledger entry and the idempotency record, fsync)
// at 64 concurrent callers: group commit (batch=256) against one commit per
// redemption (batch=1) in the same run. commits/s is the figure. The
// third run gives every commit a customer never seen before, whose first
// redemption also writes a mark to the code log (referrals.go). It does
// not isolate the marks' cost (a returning customer's commit updates
// their per-customer counters, which a new one's creates): to see that,
// run it against the code before marks (docs/benchmarks.md, Referrals).
func BenchmarkCommit(b *testing.B) {
	for _, run := range []struct {
		batch        int
		name         string
		newCustomers bool
	}{{1, "batch=1/callers=64", false}, {256, "batch=256/callers=64", false}, {256, "batch=256/callers=64/new-customers", true}} {
		batch := run.batch
		b.Run(run.name, func(b *testing.B) {
			cfg := DefaultConfig(b.TempDir())
			cfg.MaxBatch = batch
			s, err := Open(cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var seq atomic.Int64
			camps := []policies.RedeemedCampaign{
				{Campaign: "first-1000000", Amount: 100, Limits: policies.Limits{Redemptions: 1 << 40}},
				{Campaign: "budget", Amount: 250, Points: 10, Limits: policies.Limits{Budget: 1 << 50, PerCustomer: 1 << 20}},
			}
			b.SetParallelism(64 / max(1, testingProcs()))
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := seq.Add(1)
					id := fmt.Sprintf("rd_%012d", n)
					customer := fmt.Sprintf("u%d", n%1000)
					if run.newCustomers {
						customer = fmt.Sprintf("u%d", n)
					}
					r := redemption(id, fmt.Sprintf("k%d", n), customer, camps...)
					if _, _, ex, err := s.Commit(context.Background(), r); err != nil || ex != nil {
						b.Error(ex, err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "commits/s")
		})
	}
}

// BenchmarkGenerateCodes makes a million codes in one call.
func BenchmarkGenerateCodes(b *testing.B) {
	for range b.N {
		s, err := Open(Config{Path: filepath.Join(b.TempDir(), "p.db")})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		var peak uint64
		var ms runtime.MemStats
		start := time.Now()
		err = s.Generate(context.Background(), "c", policies.CodeSpec{Count: policies.MaxCodesPerCall, Pattern: "SPR-####-????"}, func(batch []string) error {
			n += len(batch)
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			return nil
		})
		if err != nil || n != policies.MaxCodesPerCall {
			b.Fatal(n, err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/1M-codes")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		s.Close()
	}
}

func testingProcs() int { return runtime.GOMAXPROCS(0) }

// BenchmarkLookupCode is a generated code's lookup (LookupCode: one read
// transaction, the record's head read by hand, peekCode) against the same
// read decoding the record with encoding/json, in the same run: json-x is
// how many times the encoding/json lookup's time the hand one's is.
func BenchmarkLookupCode(b *testing.B) {
	s, err := Open(DefaultConfig(b.TempDir()))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	const code = "GC-ABCD-EFGH"
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bCodes).Put([]byte(code), encodeNewCode(code, "spring-gift", "", 1, time.Now()))
	}); err != nil {
		b.Fatal(err)
	}
	byJSON := func() (string, error) {
		var h codeHead
		err := s.db.View(func(tx *bolt.Tx) error { return json.Unmarshal(tx.Bucket(bCodes).Get([]byte(code)), &h) })
		return h.Campaign, err
	}
	const round = 2000
	var hand, std time.Duration
	for b.Loop() {
		t := time.Now()
		for range round {
			if c, _, ok, err := s.LookupCode(ctx, code); err != nil || !ok || c != "spring-gift" {
				b.Fatal(c, ok, err)
			}
		}
		hand += time.Since(t)
		t = time.Now()
		for range round {
			if c, err := byJSON(); err != nil || c != "spring-gift" {
				b.Fatal(c, err)
			}
		}
		std += time.Since(t)
	}
	b.ReportMetric(float64(std)/float64(hand), "json-x")
}
