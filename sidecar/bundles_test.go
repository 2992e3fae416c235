package sidecar_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/activation"
	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

func TestPutAndGetBundles(t *testing.T) {
	e := policies.NewEngine(policies.Config{})
	act := activation.New(activation.Config{Dir: t.TempDir()}, e)
	s := sidecartest.StartDeps(t, sidecar.Deps{Engine: e, Bundles: act}, adminToken)
	put := func(token string, body []byte) (int, []byte) {
		req, _ := http.NewRequest("PUT", "http://sidecar/v1/bundles", bytes.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := s.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out bytes.Buffer
		out.ReadFrom(resp.Body)
		return resp.StatusCode, out.Bytes()
	}
	if status, _ := s.Do(t, "GET", "/ready", nil); status != 503 {
		t.Fatalf("ready before a bundle: %d", status)
	}
	if status, _ := put("", sidecartest.ExampleTarball(t, "r1")); status != 401 {
		t.Fatalf("no token: %d", status)
	}
	if status, out := put(adminToken, sidecartest.ExampleTarball(t, "r1")); status != 200 || !strings.Contains(string(out), `"revision":"r1"`) {
		t.Fatalf("put: %d %s", status, out)
	}
	status, out := put(adminToken, []byte("not a bundle"))
	if status != 400 || !strings.Contains(string(out), "bundle_refused") {
		t.Fatalf("bad bundle: %d %s", status, out)
	}
	_, out = s.Do(t, "GET", "/v1/bundles", nil)
	var st activation.Status
	if err := json.Unmarshal(out, &st); err != nil || st.Active.Revision != "r1" || len(st.History) != 1 || st.LastError == nil || len(st.LastError.Errors) == 0 {
		t.Fatalf("status %s", out)
	}
	if d := s.Evaluate(t, goodBody); d.BundleRevision != "r1" {
		t.Fatalf("evaluate on %s", d.BundleRevision)
	}
}

// TestSwapsUnderLoad swaps bundles from a real HTTP bundle server while 8
// clients evaluate: no request fails, and p99 latency during the swaps
// stays within 2x of the steady state measured in the same run. The swap
// phase lasts at least as long as the steady one and until 5 swaps.
func TestSwapsUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	bundles := [][]byte{sidecartest.ExampleTarball(t, "rev-a"), sidecartest.ExampleTarball(t, "rev-b")}
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1) // a new bundle at every poll
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, i))
		w.Write(bundles[i%2])
	}))
	defer srv.Close()
	e := policies.NewEngine(policies.Config{})
	act := activation.New(activation.Config{}, e)
	p := &activation.Poller{URL: srv.URL, Every: 25 * time.Millisecond, MaxBackoff: time.Second}
	if _, err := act.Fetch(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	s := sidecartest.StartDeps(t, sidecar.Deps{Engine: e, Bundles: act}, "")

	body := []byte(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"SOCK","categories":["socks"],"quantity":3,"unit_price":999},{"id":"l2","sku":"X","quantity":1,"unit_price":20000}],"shipping":{"amount":599}},"customer":{"id":"u1","tier":"vip","last_order_at":"2026-01-01T00:00:00Z"},"context":{"now":"2026-11-24T12:00:00Z"}}`)
	want := s.Evaluate(t, string(body)).Total // the same on both revisions
	// run evaluates from 8 clients for at least d and until done says so
	// (or 20 s pass).
	run := func(d time.Duration, done func() bool) ([]time.Duration, int64, map[string]bool) {
		var mu sync.Mutex
		var lat []time.Duration
		var failed atomic.Int64
		revs := map[string]bool{}
		start, limit := time.Now(), time.Now().Add(20*time.Second)
		more := func() bool { return time.Now().Before(limit) && (time.Since(start) < d || !done()) }
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for more() {
					start := time.Now()
					resp, err := s.Client.Post("http://sidecar/v1/evaluate", "application/json", bytes.NewReader(body))
					if err != nil {
						failed.Add(1)
						continue
					}
					var dec policies.Decision
					err = json.NewDecoder(resp.Body).Decode(&dec)
					resp.Body.Close()
					took := time.Since(start)
					if err != nil || resp.StatusCode != 200 || dec.Total != want {
						failed.Add(1)
						continue
					}
					mu.Lock()
					lat = append(lat, took)
					revs[dec.BundleRevision] = true
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return lat, failed.Load(), revs
	}
	p99 := func(l []time.Duration) time.Duration {
		slices.Sort(l)
		return l[len(l)*99/100]
	}
	// The machine is shared: a ratio over 2x is measured again, up to
	// three times, before it counts as a failure.
	for attempt := 1; ; attempt++ {
		steady, failed, _ := run(1500*time.Millisecond, func() bool { return true })
		if failed != 0 {
			t.Fatalf("%d failed in steady state", failed)
		}
		ctx, cancel := context.WithCancel(context.Background())
		go act.Poll(ctx, p)
		before := n.Load()
		swapping, failed, revs := run(1500*time.Millisecond, func() bool { return n.Load()-before >= 5 })
		cancel()
		swaps := n.Load() - before
		if failed != 0 {
			t.Fatalf("%d requests failed during %d swaps", failed, swaps)
		}
		if swaps < 5 || !revs["rev-a"] || !revs["rev-b"] {
			t.Fatalf("only %d swaps, revisions seen %v", swaps, revs)
		}
		ps, pw := p99(steady), p99(swapping)
		t.Logf("attempt %d: %d swaps; p99 steady %v (%d requests), during swaps %v (%d requests): %.2fx", attempt, swaps, ps, len(steady), pw, len(swapping), float64(pw)/float64(ps))
		if pw <= 2*ps || raceEnabled {
			return
		}
		if attempt == 3 {
			t.Errorf("p99 during swaps %v is over 2x the steady %v in three attempts", pw, ps)
			return
		}
	}
}
