package when_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/when"
)

// FuzzNative decides a when: block (JSON or YAML) on a request body both
// ways, natively and by OPA on the generated Rego: they must agree. The
// seeds are the golden blocks and generated ones, each on generated
// requests.
func FuzzNative(f *testing.F) {
	g := newGen(42)
	files, _ := filepath.Glob(filepath.Join("testdata", "compile", "*.yaml"))
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var doc struct {
			When json.RawMessage `json:"when"`
		}
		if err := yaml.Unmarshal(raw, &doc); err != nil {
			f.Fatal(err)
		}
		f.Add(string(doc.When), string(g.request()))
	}
	for range 8 {
		f.Add(show(g.root()), string(g.request()))
	}
	f.Fuzz(func(t *testing.T, block, body string) {
		js, err := yaml.YAMLToJSON([]byte(block))
		if err != nil {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(js))
		dec.UseNumber()
		var b any
		if dec.Decode(&b) != nil {
			return
		}
		if _, errs := when.Prepare(when.Campaign{ID: "f", Rule: "f"}, b, "when"); len(errs) > 0 {
			return
		}
		req, err := policies.DecodeRequest([]byte(body), clock)
		if err != nil {
			return
		}
		newPair(t, []any{b}).compare(t, []byte(body), req)
	})
}
