package when_test

import (
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
	for _, when := range goldenBlocks(f) {
		f.Add(when, string(g.request()))
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
