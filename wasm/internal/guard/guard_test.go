package guard

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tetratelabs/wazero"
)

func seeds(t testing.TB) map[string][]byte {
	t.Helper()
	files, _ := filepath.Glob("../../testdata/*.wasm")
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

// TestInstrumentValid: every test module, instrumented, is still valid
// wasm, imports tick and has one more global.
func TestInstrumentValid(t *testing.T) {
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	defer rt.Close(ctx)
	for name, bin := range seeds(t) {
		out, err := Instrument(bin)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		cm, err := rt.CompileModule(ctx, out)
		if err != nil {
			t.Errorf("%s: instrumented module does not compile: %v", name, err)
			continue
		}
		found := false
		for _, def := range cm.ImportedFunctions() {
			if m, f, _ := def.Import(); m == Module && f == Func {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no %s.%s import", name, Module, Func)
		}
		for exp := range cm.ExportedFunctions() {
			orig, _ := rt.CompileModule(ctx, bin)
			if _, ok := orig.ExportedFunctions()[exp]; !ok {
				t.Errorf("%s: new export %s", name, exp)
			}
		}
	}
}

func TestInstrumentRefuses(t *testing.T) {
	for _, bin := range [][]byte{nil, []byte("\x00asm\x02\x00\x00\x00"), []byte("\x00asm\x01\x00\x00\x00\x0a\x05\x01\x03\x00\xff\x0b")} {
		if _, err := Instrument(bin); !errors.Is(err, ErrUnknown) {
			t.Errorf("%q: got %v, want ErrUnknown", bin, err)
		}
	}
}

// FuzzInstrument: any bytes are instrumented or refused, never a panic;
// what is instrumented from a valid module is valid.
func FuzzInstrument(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	f.Fuzz(func(t *testing.T, bin []byte) {
		out, err := Instrument(bin)
		if err != nil {
			return
		}
		if _, err := rt.CompileModule(ctx, bin); err != nil {
			return // the module was not valid to begin with
		}
		if _, err := rt.CompileModule(ctx, out); err != nil {
			t.Fatalf("valid module, invalid once instrumented: %v", err)
		}
	})
}
