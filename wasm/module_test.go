package wasm

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/wasm/internal/guard"
)

// hostile loads testdata/<name>.wasm (see the .wat beside it).
func loadWasm(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newHost(t testing.TB, cfg Config) *Host {
	t.Helper()
	h, err := NewHost(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close(context.Background()) })
	return h
}

func TestLoadRefusesModules(t *testing.T) {
	cases := []struct {
		module string
		want   error
		text   string
	}{
		{"import", ErrImport, "module import imports env.http_get: import not allowed"},
		{"noexport", ErrExport, "exports evaluate(i32) i32: missing or wrong export (it needs evaluate(i32, i32) i64)"},
		{"initloop", nil, "instantiating module initloop"},
	}
	cfg := DefaultConfig()
	cfg.InitTimeout = 50 * time.Millisecond
	h := newHost(t, cfg)
	for _, tc := range cases {
		t.Run(tc.module, func(t *testing.T) {
			_, err := h.Compile(context.Background(), tc.module, loadWasm(t, tc.module))
			if err == nil {
				t.Fatal("module was accepted")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v is not %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("error %q does not say %q", err, tc.text)
			}
		})
	}
	if _, err := h.Compile(context.Background(), "junk", []byte("not wasm")); err == nil || !strings.Contains(err.Error(), "module junk is not valid WebAssembly") {
		t.Errorf("junk bytes: %v", err)
	}
}

// TestHostileModulesAreContained calls each hostile module and then a good
// one on the same host: each failure is its own, with a clear detail.
func TestHostileModulesAreContained(t *testing.T) {
	cases := []struct {
		module string
		want   error
		detail string
	}{
		{"loop", ErrTimeout, "stopped: evaluate ran past its 5ms deadline"},
		{"grow", ErrMemory, "evaluate ran out of memory (limit 16 MiB)"},
		{"trap", ErrTrap, "evaluate trapped: wasm error: unreachable"},
		{"exit", ErrTrap, "evaluate exited with code 3"},
		{"huge", ErrOutput, "returned 2097152 bytes, over the limit of 1048576"},
		{"oob", ErrOutput, "outside its 131072-byte memory"},
	}
	h := newHost(t, DefaultConfig())
	good, err := h.Compile(context.Background(), "const", loadWasm(t, "const"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.module, func(t *testing.T) {
			m, err := h.Compile(context.Background(), tc.module, loadWasm(t, tc.module))
			if err != nil {
				t.Fatal(err)
			}
			for range 3 { // the instance is recycled and the next call fails the same way
				_, err = m.Call(context.Background(), []byte(`{}`), 0)
				var ce *CallError
				if !errors.As(err, &ce) || !errors.Is(err, tc.want) {
					t.Fatalf("got %v, want a *CallError wrapping %v", err, tc.want)
				}
				if !strings.Contains(ce.Detail, tc.detail) {
					t.Errorf("detail %q does not say %q", ce.Detail, tc.detail)
				}
			}
			if out, err := good.Call(context.Background(), []byte(`{}`), 0); err != nil || string(out) != `{"eligible":true}` {
				t.Errorf("a good module after %s: %q, %v", tc.module, out, err)
			}
		})
	}
}

func TestInputLimit(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxInput = 100
	h := newHost(t, cfg)
	m, err := h.Compile(context.Background(), "echo", loadWasm(t, "echo"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := m.Call(context.Background(), []byte(`{"a":1}`), 0); err != nil || string(out) != `{"eligible":false,"reasons":[{"a":1}]}` {
		t.Errorf("echo: %q, %v", out, err)
	}
	_, err = m.Call(context.Background(), make([]byte, 101), 0)
	if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "input is 101 bytes, over the limit of 100") {
		t.Errorf("over the input limit: %v", err)
	}
}

func TestTimeoutPerCall(t *testing.T) {
	h := newHost(t, DefaultConfig())
	m, err := h.Compile(context.Background(), "loop", loadWasm(t, "loop"))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = m.Call(context.Background(), []byte(`{}`), 30*time.Millisecond)
	took := time.Since(start)
	if !errors.Is(err, ErrTimeout) || !strings.Contains(err.Error(), "30ms deadline") {
		t.Errorf("got %v", err)
	}
	if took < 30*time.Millisecond || took > time.Second {
		t.Errorf("a 30ms deadline stopped the call after %s", took)
	}
}

// TestTestdataMatchesWAT rebuilds every testdata/*.wat with wat2wasm (from
// Debian's wabt) and wants the checked-in .wasm beside it.
func TestTestdataMatchesWAT(t *testing.T) {
	wat2wasm, err := exec.LookPath("wat2wasm")
	if err != nil {
		t.Skip("wat2wasm is not installed (make wasm-tools): using the checked-in .wasm files")
	}
	wats, _ := filepath.Glob("testdata/*.wat")
	for _, wat := range wats {
		out := filepath.Join(t.TempDir(), "m.wasm")
		if msg, err := exec.Command(wat2wasm, "--enable-all", wat, "-o", out).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", wat, err, msg)
		}
		got, _ := os.ReadFile(out)
		want, _ := os.ReadFile(strings.TrimSuffix(wat, ".wat") + ".wasm")
		if !bytes.Equal(got, want) {
			t.Errorf("%s does not match its .wasm: run wat2wasm --enable-all %s -o %s", wat, wat, strings.TrimSuffix(wat, ".wat")+".wasm")
		}
	}
}

// TestUnguardedModules: a module that guard cannot instrument runs in the
// runtime that wazero itself stops at the deadline.
func TestUnguardedModules(t *testing.T) {
	h := newHost(t, DefaultConfig())
	h.instrument = func([]byte) ([]byte, error) { return nil, guard.ErrUnknown }
	loop, err := h.Compile(context.Background(), "loop", loadWasm(t, "loop"))
	if err != nil {
		t.Fatal(err)
	}
	if loop.guarded {
		t.Fatal("the module was instrumented")
	}
	if _, err := loop.Call(context.Background(), []byte(`{}`), 10*time.Millisecond); !errors.Is(err, ErrTimeout) {
		t.Errorf("loop: %v", err)
	}
	c, err := h.Compile(context.Background(), "const", loadWasm(t, "const"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := c.Call(context.Background(), []byte(`{}`), 0); err != nil || string(out) != `{"eligible":true}` {
		t.Errorf("const: %q %v", out, err)
	}
}
