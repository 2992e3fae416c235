package wasm_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/wasm"
)

// exampleBundle builds the guests of examples/wasm from source with its
// Makefile (once per test binary) and returns a copy of the example bundle
// with them, and which of them could be built.
var exampleBundle = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "promoedge-wasm-example")
	if err != nil {
		return "", err
	}
	builtDir = dir
	if err := os.CopyFS(dir, os.DirFS("../examples/wasm/bundle")); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "promo", "wasm")
	var msgs []string
	for _, target := range []string{"go", "c"} {
		cmd := exec.Command("make", "-C", "../examples/wasm", "OUT="+out, target)
		if msg, err := cmd.CombinedOutput(); err != nil {
			msgs = append(msgs, fmt.Sprintf("make %s: %v\n%s", target, err, msg))
		}
	}
	if len(msgs) > 0 {
		return dir, fmt.Errorf("%s", strings.Join(msgs, "\n"))
	}
	return dir, nil
})

// TestMain removes the example bundle the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	os.Exit(code)
}

// builtDir is the directory exampleBundle made, if it ran.
var builtDir string

// guests returns the example bundle; it skips the test, saying why, when a
// toolchain could not be installed.
func guests(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the example guests are built from source")
	}
	dir, err := exampleBundle()
	if err != nil {
		t.Skipf("the example wasm guests could not be built (a toolchain could not be installed):\n%v", err)
	}
	return dir
}

func cart(units ...int) string {
	var items []string
	for i, n := range units {
		items = append(items, fmt.Sprintf(`{"id":"l%d","sku":"SKU-%d","quantity":%d,"unit_price":2500}`, i+1, i, n))
	}
	return fmt.Sprintf(`{"cart":{"id":"c","currency":"USD","items":[%s]},"context":{"now":"2026-11-24T12:00:00Z"}`, strings.Join(items, ","))
}

// TestExampleWasmBundle prices carts on examples/wasm: a C module decides
// volume-c, a Go module volume-go (with the code VOLUME).
func TestExampleWasmBundle(t *testing.T) {
	dir := guests(t)
	rev, err := bundle.LoadPathWith(context.Background(), loadConfig(dir, nil), dir)
	if err != nil {
		t.Fatal(err)
	}
	e := policies.NewEngine(policies.Config{})
	e.Swap(rev)
	cases := []struct {
		name, body string
		applied    string // campaign:amount of the one applied, or ""
		rejected   string // campaign:reason:details of each rejection
	}{
		{"two units", cart(1, 1) + "}", "", "volume-c:rule:needs at least 3 units in the cart"},
		{"four units", cart(3, 1) + "}", "volume-c:1000", ""},
		{"seven units, code", cart(5, 2) + `,"codes":["volume"]}`, "volume-go:4375", "volume-c:excluded:exclusive campaign volume-go applied"},
		{"two units, code", cart(2) + `,"codes":["VOLUME"]}`, "", "volume-go:rule:needs at least 3 units in the cart;volume-c:rule:needs at least 3 units in the cart"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, err := policies.DecodeRequest([]byte(tc.body), time.Now())
			if err != nil {
				t.Fatal(err)
			}
			dec, err := e.Evaluate(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			var applied, rejected []string
			for _, a := range dec.Applied {
				applied = append(applied, fmt.Sprintf("%s:%d", a.Campaign, a.Amount))
			}
			for _, r := range dec.Rejected {
				rejected = append(rejected, fmt.Sprintf("%s:%s:%s", r.Campaign, r.Reason, strings.Join(r.Details, ",")))
			}
			if got := strings.Join(applied, ";"); got != tc.applied {
				t.Errorf("applied %q, want %q", got, tc.applied)
			}
			if got := strings.Join(rejected, ";"); got != tc.rejected {
				t.Errorf("rejected %q, want %q", got, tc.rejected)
			}
		})
	}
}

// cache is the tests' compilation cache, shared by their bundle loads as
// cmd shares one across revisions: a module loaded again (the Go guest,
// slow to compile) is not compiled again.
var cache = wasm.NewCache()

// loadConfig loads a bundle with the tests' cache, counting into stats
// (nil: nowhere).
func loadConfig(source string, stats *wasm.Stats) bundle.Config {
	return bundle.Config{Source: source, Wasm: wasm.Config{Cache: cache, Stats: stats}}
}

func write(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
