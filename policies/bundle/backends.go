package bundle

import "github.com/promoedge/promoedge/policies"

// The rule backends of a revision, by policies.Route name.
const (
	// BackendRego decides the campaigns of Rego rules (policies/rego); it
	// is the default route.
	BackendRego = "rego"
	// BackendPolicyWasm decides the campaigns whose rule the bundle's
	// policy.wasm compiled (`opa build -t wasm`).
	BackendPolicyWasm = "policy.wasm"
	// BackendWasm decides the campaigns of custom modules (package wasm).
	BackendWasm = "wasm"
)

// ruleBackends is the table of a revision's rule backends, in the order
// the Router calls them. compiledRules are the rules compiled decides; a
// nil Rules answers its campaigns with an error.
func ruleBackends(rego, compiled policies.Rules, compiledRules map[string]bool, custom policies.Rules) []policies.Route {
	return []policies.Route{
		{Name: BackendRego, Rules: rego},
		{Name: BackendPolicyWasm, Takes: func(c *policies.Campaign) bool { return compiledRules[c.Rule] }, Rules: compiled},
		{Name: BackendWasm, Takes: func(c *policies.Campaign) bool { return c.Wasm != "" }, Rules: custom},
	}
}
