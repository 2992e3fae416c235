package when_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"

	"github.com/promoedge/promoedge/internal/yamljson"
	"github.com/promoedge/promoedge/policies/when"
)

var update = flag.Bool("update", false, "rewrite the golden Rego in testdata/compile")

// decode reads YAML as the bundle loader does: JSON numbers kept exact.
func decode(t testing.TB, src []byte) any {
	t.Helper()
	v, err := yamljson.Decode(src)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestCompileGolden compiles testdata/compile/*.yaml ({campaign, when})
// and compares the module with the .rego beside it (-update rewrites
// them). Every module must parse and compile in OPA.
func TestCompileGolden(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "compile", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no test files")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			doc := decode(t, raw).(map[string]any)
			c := doc["campaign"].(map[string]any)
			str := func(k string) string { s, _ := c[k].(string); return s }
			camp := when.Campaign{ID: str("id"), Name: str("name"), Currency: str("currency"), Timezone: str("timezone")}
			camp.Rule = when.RuleName(camp.ID, nil)
			src, errs := when.Compile(camp, doc["when"], "when")
			if len(errs) > 0 {
				t.Fatalf("problems: %v", errs)
			}
			compiles(t, src)
			formatted(t, src)
			golden := strings.TrimSuffix(file, ".yaml") + ".rego"
			if *update {
				if err := os.WriteFile(golden, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if src != string(want) {
				t.Errorf("module differs from %s (go test -update rewrites it):\n%s", golden, src)
			}
		})
	}
}

// formatted checks src is formatted as opa fmt formats it.
func formatted(t testing.TB, src string) {
	t.Helper()
	out, err := format.SourceWithOpts("m.rego", []byte(src), format.Opts{RegoVersion: ast.RegoV1, ParserOptions: &ast.ParserOptions{RegoVersion: ast.RegoV1}})
	if err != nil {
		t.Fatalf("does not parse: %v\n%s", err, src)
	}
	if string(out) != src {
		t.Errorf("not formatted as opa fmt formats it:\n%s\nopa fmt:\n%s", src, out)
	}
}

// compiles checks src is a Rego v1 module that compiles.
func compiles(t testing.TB, src string) {
	t.Helper()
	mod, err := ast.ParseModuleWithOpts("m.rego", src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatalf("does not parse: %v\n%s", err, src)
	}
	c := ast.NewCompiler()
	if c.Compile(map[string]*ast.Module{"m.rego": mod}); c.Failed() {
		t.Fatalf("does not compile: %v\n%s", c.Errors, src)
	}
}

func TestRuleName(t *testing.T) {
	taken := map[string]bool{"summer_20": true, "summer_20_2": true}
	for _, tc := range []struct{ id, want string }{
		{"summer-20", "summer_20_3"},
		{"black.friday", "black_friday"},
		{"2for1", "c_2for1"},
		{"default", "default_"},
		{"Été", "_t_"},
	} {
		if got := when.RuleName(tc.id, func(n string) bool { return taken[n] }); got != tc.want {
			t.Errorf("RuleName(%q) = %q, want %q", tc.id, got, tc.want)
		}
	}
}
