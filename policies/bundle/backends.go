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
	// BackendWhen decides the campaigns of when: blocks natively
	// (policies/when), as their generated Rego would; a bundle whose
	// policy.wasm compiled that Rego is decided by it instead.
	BackendWhen = "when"
)

// ruleBackends is the table of a revision's rule backends, in the order
// the Router calls them. compiledRules are the rules compiled decides; a
// nil Rules answers its campaigns with an error; a nil native (no when:
// block) has no row.
func ruleBackends(rego, compiled policies.Rules, compiledRules map[string]bool, custom, native policies.Rules) []policies.Route {
	routes := []policies.Route{
		{Name: BackendRego, Rules: rego},
		{Name: BackendPolicyWasm, Takes: func(c *policies.Campaign) bool { return compiledRules[c.Rule] }, Rules: compiled},
		{Name: BackendWasm, Takes: func(c *policies.Campaign) bool { return c.Wasm != "" }, Rules: custom},
	}
	if native != nil {
		routes = append(routes, policies.Route{Name: BackendWhen, Takes: func(c *policies.Campaign) bool { return c.When != nil }, Rules: native})
	}
	return routes
}

// ruleRouter is the Rules of a revision without wasm: rego alone, or a
// Router that sends the campaigns of when: blocks to native.
func ruleRouter(rego, native policies.Rules) policies.Rules {
	if native == nil {
		return rego
	}
	return &policies.Router{Routes: ruleBackends(rego, nil, nil, nil, native)}
}
