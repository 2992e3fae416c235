package bundle_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies/bundle"
)

// TestWasmBundleRefusals: a bundle is refused, with file and field, when a
// campaign names a module it lacks, and with the module's file and a clear
// error when a module imports more than WASI or lacks an export.
func TestWasmBundleRefusals(t *testing.T) {
	cases := []struct {
		name     string
		campaign string            // the campaign document of c
		modules  map[string]string // promo/wasm/<name>.wasm from wasm/testdata/<file>.wasm
		want     string
	}{
		{"missing module", `{"wasm": "cnst", "effects": []}`, map[string]string{"const": "const"},
			`promo/campaigns/c/data.json:1: campaigns.c.wasm: wasm module "cnst" does not exist: the bundle has no file promo/wasm/cnst.wasm; did you mean "const"?`},
		{"import", `{"wasm": "fetch", "effects": []}`, map[string]string{"fetch": "import"},
			`promo/wasm/fetch.wasm: module fetch imports env.http_get: import not allowed (only WASI preview 1, "wasi_snapshot_preview1", is)`},
		{"unused module with an import", `{"effects": []}`, map[string]string{"fetch": "import"},
			`promo/wasm/fetch.wasm: module fetch imports env.http_get`},
		{"wrong export", `{"wasm": "bad", "effects": []}`, map[string]string{"bad": "noexport"},
			`promo/wasm/bad.wasm: module bad exports evaluate(i32) i32: missing or wrong export (it needs evaluate(i32, i32) i64)`},
		{"not wasm", `{"wasm": "junk", "effects": []}`, map[string]string{"junk": ""},
			`promo/wasm/junk.wasm: module junk is not valid WebAssembly`},
		{"timeout without module", `{"wasm_timeout_ms": 10, "effects": []}`, nil,
			`campaigns.c.wasm_timeout_ms: only applies to a campaign with a wasm module`},
		{"timeout too long", `{"wasm": "const", "wasm_timeout_ms": 5000, "effects": []}`, map[string]string{"const": "const"},
			`campaigns.c.wasm_timeout_ms: must be from 1 to 1000 milliseconds, got 5000`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			put(t, filepath.Join(dir, "promo", "campaigns", "c", "data.json"), []byte(tc.campaign))
			for name, file := range tc.modules {
				bin := []byte("not wasm at all")
				if file != "" {
					var err error
					if bin, err = os.ReadFile(filepath.Join("..", "..", "wasm", "testdata", file+".wasm")); err != nil {
						t.Fatal(err)
					}
				}
				put(t, filepath.Join(dir, "promo", "wasm", name+".wasm"), bin)
			}
			_, err := bundle.LoadPath(context.Background(), dir)
			if !errors.Is(err, bundle.ErrInvalidBundle) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v\nwant an invalid bundle saying %s", err, tc.want)
			}
		})
	}
}

func put(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
