package wasm_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
	"github.com/promoedge/promoedge/wasm"
)

// hostile are the modules of testdata (see their .wat) and what a request
// says of each.
var hostile = map[string]string{
	"loop":    "stopped: evaluate ran past its 2ms deadline",
	"grow":    "evaluate ran out of memory (limit 16 MiB)",
	"trap":    "evaluate trapped: wasm error: unreachable",
	"exit":    "evaluate exited with code 3",
	"notjson": `module output is not a valid verdict: not JSON`,
	"huge":    "returned 2097152 bytes, over the limit of 1048576",
	"oob":     "outside its 131072-byte memory",
}

// hostileBundle is a bundle with a campaign per hostile module, one per
// well-behaved module (const, echo) and a campaign without a rule.
func hostileBundle(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".manifest"), `{"revision": "hostile", "roots": ["promo"]}`)
	mods := []string{"const", "echo"}
	for m := range hostile {
		mods = append(mods, m)
	}
	for i, m := range mods {
		bin, err := os.ReadFile(filepath.Join("testdata", m+".wasm"))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(dir, "promo", "wasm", m+".wasm"), string(bin))
		timeout := ""
		if m == "loop" {
			timeout = `, "wasm_timeout_ms": 2`
		}
		write(t, filepath.Join(dir, "promo", "campaigns", "c-"+m, "data.json"),
			fmt.Sprintf(`{"priority": %d, "wasm": %q%s, "effects": [{"type": "amount_off", "amount": 100}]}`, i, m, timeout))
	}
	write(t, filepath.Join(dir, "promo", "campaigns", "plain", "data.json"), `{"effects": [{"type": "points", "points": 5}]}`)
	return dir
}

// TestHostileCampaignsRejectedOthersApply: each hostile module rejects its
// own campaign with "error" and a detail; the others apply, request after
// request, and the metrics count the failures.
func TestHostileCampaignsRejectedOthersApply(t *testing.T) {
	dir, stats := hostileBundle(t), new(wasm.Stats)
	rev, err := bundle.LoadPathWith(context.Background(), loadConfig(dir, stats), dir)
	if err != nil {
		t.Fatal(err)
	}
	e := policies.NewEngine(policies.Config{})
	e.Swap(rev)
	before := stats.Errors()
	recycled := stats.Recycled()
	for round := range 3 {
		req, err := policies.DecodeRequest([]byte(cart(1, 2)+"}"), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		dec, err := e.Evaluate(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		applied := map[string]bool{}
		for _, a := range dec.Applied {
			applied[a.Campaign] = true
		}
		if !applied["c-const"] || !applied["plain"] {
			t.Errorf("round %d: applied %v, want c-const and plain", round, applied)
		}
		rejected := map[string]policies.Rejection{}
		for _, r := range dec.Rejected {
			rejected[r.Campaign] = r
		}
		for m, detail := range hostile {
			r := rejected["c-"+m]
			if r.Reason != policies.RuleError || len(r.Details) != 1 || !strings.Contains(r.Details[0], detail) || !strings.HasPrefix(r.Details[0], "wasm module "+m+": ") {
				t.Errorf("round %d: c-%s: %+v, want error %q", round, m, r, detail)
			}
		}
		if r := rejected["c-echo"]; r.Reason != policies.RuleFailed || len(r.Details) != 1 || !strings.Contains(r.Details[0], `"campaign":{"effects"`) {
			t.Errorf("echo: %+v", r)
		}
	}
	after := stats.Errors()
	for kind, want := range map[string]int64{"timeout": 3, "memory": 3, "trap": 6, "output": 9} {
		if got := after[kind] - before[kind]; got < want {
			t.Errorf("errors{kind=%q} rose by %d, want at least %d", kind, got, want)
		}
	}
	if got := stats.Recycled() - recycled; got < 12 {
		t.Errorf("recycled rose by %d, want at least 12", got)
	}
}

// TestHostileMemoryBounded makes 10,000 hostile calls (traps, loops, memory
// exhaustion, bad output) and wants the process's memory to stay where it
// was after the first thousand: failed instances are closed and their
// memory unmapped.
func TestHostileMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	cfg := wasm.DefaultConfig()
	cfg.Timeout = time.Millisecond
	h, err := wasm.NewHost(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close(context.Background())
	var mods []*wasm.Module
	for _, name := range []string{"grow", "trap", "huge", "notjson", "oob", "exit", "loop"} {
		bin, err := os.ReadFile(filepath.Join("testdata", name+".wasm"))
		if err != nil {
			t.Fatal(err)
		}
		m, err := h.Compile(context.Background(), name, bin)
		if err != nil {
			t.Fatal(err)
		}
		mods = append(mods, m)
	}
	input := []byte(cart(1, 2, 3, 4, 5, 6, 7, 8, 9, 10) + "}")
	const calls, warm = 10000, 1000
	var base uint64
	for i := range calls {
		if i == warm {
			base = rss(t)
		}
		if _, err := mods[i%len(mods)].Call(context.Background(), input, 0); err == nil && mods[i%len(mods)].Name() != "notjson" {
			t.Fatalf("call %d of %s succeeded", i, mods[i%len(mods)].Name())
		}
	}
	end := rss(t)
	t.Logf("resident memory after %d hostile calls: %d MiB; after %d: %d MiB", warm, base>>20, calls, end>>20)
	if end > base+64<<20 {
		t.Errorf("resident memory grew from %d MiB to %d MiB over %d hostile calls", base>>20, end>>20, calls-warm)
	}
	for _, m := range mods {
		if m.Live() > cfg.Instances && cfg.Instances > 0 || m.Live() > runtime.GOMAXPROCS(0) {
			t.Errorf("%s has %d live instances", m.Name(), m.Live())
		}
	}
}

// rss is the process's resident memory, after a garbage collection.
func rss(t testing.TB) uint64 {
	runtime.GC()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skip("no /proc/self/statm")
	}
	var size, resident uint64
	fmt.Sscan(string(b), &size, &resident)
	return resident * uint64(os.Getpagesize())
}

// TestHostileThroughHTTP: through the sidecar's HTTP API, hostile modules
// reject their campaigns, every request is answered, and /metrics counts
// the failures by kind.
func TestHostileThroughHTTP(t *testing.T) {
	dir, stats := hostileBundle(t), new(wasm.Stats)
	rev, err := bundle.LoadPathWith(context.Background(), loadConfig(dir, stats), dir)
	if err != nil {
		t.Fatal(err)
	}
	e := policies.NewEngine(policies.Config{})
	e.Swap(rev)
	m := sidecar.NewMetrics()
	if err := m.ReadWasm(stats); err != nil {
		t.Fatal(err)
	}
	s := sidecartest.StartDeps(t, sidecar.Deps{Engine: e, Metrics: m}, "")
	for range 5 {
		d := s.Evaluate(t, cart(4)+"}")
		if len(d.Applied) != 2 || d.Total != 10000-100 {
			t.Fatalf("applied %+v, total %d", d.Applied, d.Total)
		}
	}
	code, out := s.Do(t, "GET", "/metrics", nil)
	if code != 200 {
		t.Fatalf("metrics: %d", code)
	}
	for _, kind := range []string{"timeout", "memory", "trap", "output"} {
		if !regexp.MustCompile(`promoedge_wasm_errors_total\{kind="` + kind + `"\} [1-9]`).Match(out) {
			t.Errorf("metrics do not count %s errors:\n%s", kind, out)
		}
	}
	if !strings.Contains(string(out), "promoedge_wasm_recycled_total") {
		t.Errorf("metrics lack recycled instances:\n%s", out)
	}
}

// TestReloadsReleaseHosts loads the same bundle again and again, as a hot
// reload does, and wants the hosts of the revisions no longer referenced
// closed by the garbage collector.
func TestReloadsReleaseHosts(t *testing.T) {
	dir, stats := hostileBundle(t), new(wasm.Stats)
	var keep *policies.Revision
	for range 20 {
		rev, err := bundle.LoadPathWith(context.Background(), loadConfig(dir, stats), dir)
		if err != nil {
			t.Fatal(err)
		}
		keep = rev
	}
	deadline := time.Now().Add(10 * time.Second)
	for stats.Hosts() > 1 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if open := stats.Hosts(); open != 1 {
		t.Errorf("%d hosts open after 20 reloads, want 1 (the revision still in use)", open)
	}
	runtime.KeepAlive(keep)
}
