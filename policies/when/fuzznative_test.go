package when_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/promoedge/promoedge/internal/yamljson"
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
		js, err := yamljson.ToJSON(raw)
		if err == nil {
			err = json.Unmarshal(js, &doc)
		}
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(doc.When), string(g.request()))
	}
	for range 8 {
		f.Add(show(g.root()), string(g.request()))
	}
	f.Fuzz(func(t *testing.T, block, body string) {
		b, err := yamljson.Decode([]byte(block))
		if err != nil {
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
