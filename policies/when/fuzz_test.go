package when_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/promoedge/promoedge/internal/yamljson"
	"github.com/promoedge/promoedge/policies/when"
)

// FuzzCompile feeds when: blocks (YAML, as marketers write them) to the
// compiler: it must never panic, and a block it accepts must give a module
// that OPA parses and compiles.
func FuzzCompile(f *testing.F) {
	for _, when := range goldenBlocks(f) {
		f.Add(when)
	}
	for _, s := range []string{
		`{"not": {"not": {"customer": {"tier": "x"}}}}`,
		`[{"any": [{"all": [{"days": "weekend"}]}]}]`,
		`{"items": [{}], "reason": "\"quoted\"\n"}`,
		`{"hours": {"from": "23:59", "until": "24:00"}, "timezone": "customer"}`,
		`{"customer": {"attributes": {"a\"b": ["x", 1, true]}}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		block, err := yamljson.Decode([]byte(src))
		if err != nil {
			return
		}
		mod, errs := when.Compile(when.Campaign{ID: "f", Name: "fuzz\n\"x\"", Rule: "f", Currency: "USD", Timezone: "Europe/Dublin"}, block, "when")
		if len(errs) == 0 {
			compiles(t, mod)
		} else if mod != "" {
			t.Fatalf("problems %v and a module", errs)
		}
	})
}

// goldenBlocks is the when: block of each golden file in testdata/compile,
// as JSON: the fuzz targets' first seeds.
func goldenBlocks(f *testing.F) []string {
	files, _ := filepath.Glob(filepath.Join("testdata", "compile", "*.yaml"))
	var out []string
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var doc struct {
			When json.RawMessage `json:"when"`
		}
		js, err := yamljson.ToJSON(raw)
		if err == nil {
			err = json.Unmarshal(js, &doc)
		}
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, string(doc.When))
	}
	return out
}
