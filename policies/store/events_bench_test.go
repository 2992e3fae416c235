package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/examples"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

// fillScheduled schedules n triggers due over the next 48 hours, for n/4
// customers, in one transaction.
func fillScheduled(b *testing.B, s *Store, n int) {
	b.Helper()
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	err := s.db.Update(func(tx *bolt.Tx) error {
		for i := range n {
			id := fmt.Sprintf("e%07d", i)
			sc := &policies.ScheduledTrigger{ID: id + "/abandoned-cart", Trigger: "abandoned-cart", Event: id, Customer: fmt.Sprintf("u-%d", i/4),
				Cart: "c-" + id, Due: t0.Add(time.Duration(i) * (48 * time.Hour / time.Duration(n))), Unless: []string{"order_placed"},
				Input: map[string]any{"customer": map[string]any{"id": fmt.Sprintf("u-%d", i/4)}, "event": map[string]any{"type": "cart_abandoned"}}}
			if _, err := schedule(tx, sc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkScheduledTriggers100k: evaluate latency with 100,000 triggers
// scheduled against none, measured alternately in the same loop (the
// issue's bound: within 1.1×), with the scheduler waiting on each store;
// and what the 100,000 cost: the heap of opening the store and starting
// the scheduler, the file, and a restart (open and the first due time).
func BenchmarkScheduledTriggers100k(b *testing.B) {
	const n = 100_000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rev, err := bundle.LoadFS(ctx, bundle.Config{Source: "embedded"}, examples.Default())
	if err != nil {
		b.Fatal(err)
	}
	body, err := os.ReadFile("../../examples/requests/vip-birthday.json")
	if err != nil {
		b.Fatal(err)
	}
	engines := make([]*policies.Engine, 2)
	var restart [2]time.Duration
	var before uint64
	var fileMB float64
	for i, count := range []int{0, n} {
		path := filepath.Join(b.TempDir(), "p.db")
		s, err := Open(Config{Path: path})
		if err != nil {
			b.Fatal(err)
		}
		fillScheduled(b, s, count)
		s.Close()
		if count == n {
			before = heapInUse()
		}
		start := time.Now()
		if s, err = Open(Config{Path: path}); err != nil {
			b.Fatal(err)
		}
		if _, ok, err := s.NextDue(ctx); err != nil || ok != (count > 0) {
			b.Fatal("scheduled", ok, err)
		}
		restart[i] = time.Since(start)
		if st, err := os.Stat(path); err == nil && count == n {
			fileMB = float64(st.Size()) / (1 << 20)
		}
		b.Cleanup(func() { s.Close() })
		e := policies.NewEngine(policies.Config{Usage: s, Codes: s, Committer: s, Wallets: s, Events: s, Now: func() time.Time { return time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC) }})
		e.Swap(rev)
		go e.RunTriggers(ctx, nil)
		engines[i] = e
	}
	heap := float64(heapInUse()-min(before, heapInUse())) / (1 << 20) // the 100k store's and both engines'
	var took [2]time.Duration
	for b.Loop() {
		for i, e := range engines {
			req, err := e.Decode(body)
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			if _, err := e.Evaluate(ctx, req); err != nil {
				b.Fatal(err)
			}
			took[i] += time.Since(start)
		}
	}
	b.ReportMetric(float64(took[0].Nanoseconds())/float64(b.N), "ns/eval-none")
	b.ReportMetric(float64(took[1].Nanoseconds())/float64(b.N), "ns/eval-100k")
	b.ReportMetric(float64(took[1])/float64(took[0]), "ratio")
	b.ReportMetric(float64(restart[0].Microseconds())/1e3, "restart-ms-none")
	b.ReportMetric(float64(restart[1].Microseconds())/1e3, "restart-ms-100k")
	b.ReportMetric(heap, "heap-MB")
	b.ReportMetric(fileMB, "file-MB")
}
