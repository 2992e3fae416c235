package bundle

import (
	"context"
	"path"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/rego"
)

// withCompiledRules adds to a bundle's parsed modules the rules that its
// policy.wasm compiled: `opa build -t wasm` takes the Rego rules it
// compiled out of the modules it ships, and lists them in the manifest as
// entrypoints promo/rules/<rule>/<name>. checkRules then finds them.
func withCompiledRules(mods map[string]*ast.Module, b *opabundle.Bundle) map[string]*ast.Module {
	rules := compiledRules(b)
	if len(rules) == 0 {
		return mods
	}
	out := make(map[string]*ast.Module, len(mods)+len(rules))
	for p, m := range mods {
		out[p] = m
	}
	for rule, m := range rules {
		out["policy.wasm#"+rule] = m
	}
	return out
}

// compiledRules are the rule packages of the manifest's entrypoints, by
// rule, as modules that declare the rules compiled.
func compiledRules(b *opabundle.Bundle) map[string]*ast.Module {
	rules := map[string]*ast.Module{}
	for _, r := range b.Manifest.WasmResolvers {
		parts := strings.Split(strings.Trim(r.Entrypoint, "/"), "/")
		if len(parts) == 3 && r.Entrypoint == rego.WrapperEntrypoint(parts[2]) {
			parts = []string{"promo", "rules", parts[2]} // the rule is there; its names are in its module
		}
		if len(parts) < 3 || parts[0] != "promo" || parts[1] != "rules" {
			continue
		}
		m := rules[parts[2]]
		if m == nil {
			m = &ast.Module{Package: &ast.Package{Path: ast.Ref{ast.DefaultRootDocument, ast.StringTerm("promo"), ast.StringTerm("rules"), ast.StringTerm(parts[2])}}}
			rules[parts[2]] = m
		}
		if len(parts) == 4 {
			m.Rules = append(m.Rules, &ast.Rule{Head: ast.NewHead(ast.Var(parts[3]))})
		}
	}
	return rules
}

// loadPolicyWasm loads the bundle's policy.wasm (from `opa build -t
// wasm`), if any, and lists the rules it decides: those whose entrypoint
// promo/rules/<rule> it has. The other rules stay with Rego.
func loadPolicyWasm(ctx context.Context, cfg Config, b *opabundle.Bundle, campaigns []*policies.Campaign) (policies.Rules, map[string]bool, []Problem) {
	if len(b.WasmModules) == 0 {
		return nil, nil, nil
	}
	if len(b.WasmModules) > 1 {
		return nil, nil, []Problem{{File: strings.TrimPrefix(b.WasmModules[1].Path, "/"), Message: "a bundle may carry one policy.wasm"}}
	}
	mod := b.WasmModules[0]
	rules, decided := decidedBy(campaigns, moduleEntrypoints(b, mod))
	if len(decided) == 0 {
		return nil, nil, nil
	}
	ev, err := rego.NewCompiled(ctx, mod.Raw, b.Data, decided, rules) // plain JSON data: never the store's AST values (see doc.go)
	if err != nil {
		return nil, nil, []Problem{{File: strings.TrimPrefix(mod.Path, "/"), Message: err.Error()}}
	}
	ev.WithLimits(cfg.RuleLimits)
	names := make(map[string]bool, len(rules))
	for r := range rules {
		names[r] = true
	}
	return ev, names, nil
}

// moduleEntrypoints are the entrypoints the manifest gives the module mod.
func moduleEntrypoints(b *opabundle.Bundle, mod opabundle.WasmModuleFile) map[string]bool {
	eps := map[string]bool{}
	for _, r := range b.Manifest.WasmResolvers {
		if path.Clean("/"+r.Module) == path.Clean("/"+strings.TrimPrefix(mod.Path, "/")) {
			eps[r.Entrypoint] = true
		}
	}
	return eps
}

// decidedBy returns the campaigns whose rule has an entrypoint in eps, and
// the entrypoint of each of their rules.
func decidedBy(campaigns []*policies.Campaign, eps map[string]bool) (map[string]string, []*policies.Campaign) {
	rules := map[string]string{} // rule -> its entrypoint
	var decided []*policies.Campaign
	for _, c := range campaigns {
		for _, ep := range []string{rego.RuleEntrypoint(c.Rule), rego.WrapperEntrypoint(c.Rule)} {
			if c.Rule != "" && eps[ep] {
				rules[c.Rule] = ep
				decided = append(decided, c)
				break
			}
		}
	}
	return rules, decided
}
