package policies_test

import (
	"context"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies"
)

// named answers every campaign eligible, with its own name as the reason,
// and records the campaigns of each call.
type named struct {
	name  string
	calls *[]string
}

func (n named) Decide(_ context.Context, _ *policies.Request, cs []*policies.Campaign, out []policies.Verdict) error {
	ids := make([]string, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
		out[i] = policies.Verdict{Eligible: true, Reasons: []string{n.name}}
	}
	*n.calls = append(*n.calls, n.name+":"+strings.Join(ids, ","))
	return nil
}

// TestRouterSendsEachCampaignToItsRoute: a campaign goes to the first
// route that takes it, else to the default; routes are called in table
// order, each once, and the verdicts come back in the campaigns' order.
func TestRouterSendsEachCampaignToItsRoute(t *testing.T) {
	var calls []string
	wasm := func(c *policies.Campaign) bool { return c.Wasm != "" }
	r := &policies.Router{Routes: []policies.Route{
		{Name: "default", Rules: named{"default", &calls}},
		{Name: "wasm", Takes: wasm, Rules: named{"wasm", &calls}},
		{Name: "never", Takes: func(*policies.Campaign) bool { return false }},
	}}
	cs := []*policies.Campaign{{ID: "a", Wasm: "m"}, {ID: "b", Rule: "r"}, {ID: "c", Wasm: "m"}}
	out := make([]policies.Verdict, len(cs))
	if err := r.Decide(context.Background(), &policies.Request{}, cs, out); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(calls, " "); got != "default:b wasm:a,c" {
		t.Errorf("calls %q", got)
	}
	for i, want := range []string{"wasm", "default", "wasm"} {
		if out[i].Reasons[0] != want {
			t.Errorf("campaign %s decided by %s, want %s", cs[i].ID, out[i].Reasons[0], want)
		}
	}
	if r.Backend("wasm") == nil || r.Backend("never") != nil || r.Backend("nope") != nil {
		t.Error("Backend does not find the routes' Rules by name")
	}
}

// TestRouterWithoutRules: a campaign whose route has no Rules, or that no
// route takes, is answered with an error; the others are decided.
func TestRouterWithoutRules(t *testing.T) {
	var calls []string
	r := &policies.Router{Routes: []policies.Route{
		{Name: "rego", Takes: func(c *policies.Campaign) bool { return c.Rule != "" }, Rules: named{"rego", &calls}},
		{Name: "wasm", Takes: func(c *policies.Campaign) bool { return c.Wasm != "" }},
	}}
	cs := []*policies.Campaign{{ID: "a", Wasm: "m"}, {ID: "b", Rule: "r"}, {ID: "c"}}
	out := make([]policies.Verdict, len(cs))
	if err := r.Decide(context.Background(), &policies.Request{}, cs, out); err != nil {
		t.Fatal(err)
	}
	for i, wantErr := range []bool{true, false, true} {
		if (out[i].Err != nil) != wantErr || wantErr && !strings.Contains(out[i].Err.Error(), "no evaluator") {
			t.Errorf("campaign %s: %+v", cs[i].ID, out[i])
		}
	}
	if len(calls) != 1 {
		t.Errorf("calls %v", calls)
	}
}
