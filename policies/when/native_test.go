package when_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/rego"
	"github.com/promoedge/promoedge/policies/when"
)

// pair decides the same blocks twice: natively, and by OPA on the Rego
// that Compile writes for them.
type pair struct {
	campaigns []*policies.Campaign
	blocks    []any
	native    *when.Evaluator
	opa       *rego.Evaluator
}

var campaignZones = []string{"", "Europe/Dublin", "America/New_York", "Asia/Tokyo"}

// newPair compiles blocks both ways; campaign i is c<i>, with rule c<i>.
func newPair(t testing.TB, blocks []any) *pair {
	t.Helper()
	p := &pair{blocks: blocks}
	var programs []*when.Program
	modules := map[string]*ast.Module{}
	for i, b := range blocks {
		c := when.Campaign{ID: fmt.Sprintf("c%d", i), Name: "test", Currency: []string{"", "USD", "JPY"}[i%3], Timezone: campaignZones[i%4]}
		c.Rule = c.ID
		src, errs := when.Compile(c, b, "when")
		prog, perrs := when.Prepare(c, b, "when")
		if len(errs) > 0 || len(perrs) != len(errs) {
			t.Fatalf("block %s: problems %v, native %v", show(b), errs, perrs)
		}
		mod, err := ast.ParseModuleWithOpts(c.ID+".rego", src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatalf("%v\n%s", err, src)
		}
		modules[c.ID+".rego"], programs = mod, append(programs, prog)
		p.campaigns = append(p.campaigns, &policies.Campaign{ID: c.ID, Rule: c.Rule})
	}
	comp := ast.NewCompiler()
	if comp.Compile(modules); comp.Failed() {
		t.Fatal(comp.Errors)
	}
	docs := map[string]any{} // rules that read input whole are given input.campaign
	for _, c := range p.campaigns {
		docs[c.ID] = map[string]any{}
	}
	data := map[string]any{"promo": map[string]any{"campaigns": docs}}
	store := inmem.NewFromObjectWithOpts(data, inmem.OptRoundTripOnWrite(false), inmem.OptReturnASTValuesOnRead(true))
	ev, err := rego.New(context.Background(), comp, store)
	if err != nil {
		t.Fatal(err)
	}
	p.opa, p.native = ev, when.NewEvaluator(p.campaigns, programs)
	return p
}

// compare decides req both ways and reports every campaign on which they
// differ; it returns how many differ.
func (p *pair) compare(t testing.TB, body []byte, req *policies.Request) int {
	t.Helper()
	n := len(p.campaigns)
	want, got := make([]policies.Verdict, n), make([]policies.Verdict, n)
	if err := p.opa.Decide(context.Background(), req, p.campaigns, want); err != nil {
		t.Fatal(err)
	}
	if err := p.native.Decide(context.Background(), req, p.campaigns, got); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i := range want {
		w, g := want[i], got[i]
		if w.Eligible == g.Eligible && (w.Err == nil) == (g.Err == nil) && slices.Equal(w.Reasons, g.Reasons) {
			continue
		}
		bad++
		t.Errorf("campaign %s differs\nblock:   %s\nrequest: %s\nOPA:     %v %q %v\nnative:  %v %q %v",
			p.campaigns[i].ID, show(p.blocks[i]), body, w.Eligible, w.Reasons, w.Err, g.Eligible, g.Reasons, g.Err)
	}
	return bad
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

var clock = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// requestsPerKind is how many requests each kind of condition is tried on.
var requestsPerKind = 200

// TestNativeMatchesOPA draws blocks of every kind of condition (nested in
// any, all and not, in named zones and the customer's) and thousands of
// requests, and decides each request both ways: the native decision and
// reasons must be OPA's on the generated Rego. Each kind is drawn alone
// (12 blocks, 200 requests), then all mixed: 2,600 requests, 31,200
// decisions.
func TestNativeMatchesOPA(t *testing.T) {
	for k := range kinds + 2 {
		t.Run(fmt.Sprintf("kind-%d", k), func(t *testing.T) {
			g := newGen(uint64(k + 1))
			bs := make([]any, 12)
			for i := range bs {
				if k < kinds {
					bs[i] = g.blockOf(k)
				} else {
					bs[i] = g.root()
				}
			}
			differential(t, g, newPair(t, bs), requestsPerKind, nil)
		})
	}
}

// differential decides n random requests both ways, each the generator's
// shaped by shape (nil: as generated), which adds what a kind of
// condition reads (withWallet, withEvent).
func differential(t *testing.T, g *gen, p *pair, n int, shape func(*testing.T, *gen, []byte) []byte) {
	bad := 0
	for range n {
		body := g.request()
		if shape != nil {
			body = shape(t, g, body)
		}
		req, err := policies.DecodeRequest(body, clock)
		if err != nil {
			t.Fatalf("the generator's request is refused: %v\n%s", err, body)
		}
		if bad += p.compare(t, body, req); bad > 3 {
			t.Fatalf("stopping after %d differences", bad)
		}
	}
}

// TestNativeReasonSets holds the three ways a program lists its reasons
// to OPA's: every list made at load (a few sentences), lists cut from the
// request's slab (more), and a sorted scratch set (more than 64, where a
// set of sentences no longer fits a word's bits). Sentences repeat, so
// each must be listed once.
func TestNativeReasonSets(t *testing.T) {
	var blocks []any
	for _, n := range []int{3, 9, 70} {
		var list []any
		for i := range n {
			list = append(list, map[string]any{"customer": map[string]any{"segments": []any{fmt.Sprintf("seg%d", i%(n-1))}}})
			if i%4 == 0 {
				list = append(list, map[string]any{"customer": map[string]any{"days_since_last_order": map[string]any{"over": i}}})
			}
		}
		blocks = append(blocks, list)
	}
	differential(t, newGen(99), newPair(t, blocks), 40, nil)
}
