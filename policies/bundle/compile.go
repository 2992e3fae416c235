package bundle

import (
	"fmt"
	"maps"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/promoedge/promoedge/internal/suggest"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/rego"
)

// forbidden builtins: a rule on the checkout's hot path never waits on the
// network, and prices alike wherever and whenever it runs (evaluate and
// redeem, one node or another), so none that OPA marks non-deterministic
// either: time.now_ns, rand.intn, uuid.rfc4122, opa.runtime, JWT signing
// and verification, JSON schemas (which may fetch a $ref), with the
// network ones (http.send, net.lookup_ip_addr). A rule reads the time
// from input.context.now.
func forbidden(b *ast.Builtin) bool {
	return b.Nondeterministic || b.Name == "http.send" || b.Name == "net.lookup_ip_addr"
}

// capabilities are OPA's, less the forbidden builtins.
func capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	caps.Builtins = slices.DeleteFunc(slices.Clone(caps.Builtins), forbidden)
	return caps
}

// parsed is the bundle's parsed modules by path.
func parsed(b *opabundle.Bundle) map[string]*ast.Module {
	mods := make(map[string]*ast.Module, len(b.Modules))
	for _, m := range b.Modules {
		mods[m.Path] = m.Parsed
	}
	return mods
}

// compile compiles the bundle's modules, with the comprehensions that
// rules share evaluated once (rego.Share); problems name file and line, as
// the modules were written.
func compile(b *opabundle.Bundle) (*ast.Compiler, []Problem) {
	mods := parsed(b)
	if shared := rego.Share(mods); len(shared) != len(mods) {
		c := newCompiler()
		if c.Compile(shared); !c.Failed() {
			return c, nil
		}
	}
	c := newCompiler()
	if c.Compile(mods); !c.Failed() {
		return c, nil
	}
	return nil, astProblems(c.Errors)
}

func newCompiler() *ast.Compiler {
	return ast.NewCompiler().WithCapabilities(capabilities()).WithEnablePrintStatements(false)
}

// checkRules makes sure every rule a campaign names is a package
// promo.rules.<rule> of the parsed modules (so that it runs even when they
// do not compile), and marks campaigns whose rule may return effects.
func checkRules(modules map[string]*ast.Module, campaigns []*policies.Campaign, files []string) []Problem {
	pkgs := map[string]map[string]bool{} // rule -> names of its rules
	for _, m := range modules {
		path := m.Package.Path
		if len(path) != 4 || !path[1].Equal(ast.StringTerm("promo")) || !path[2].Equal(ast.StringTerm("rules")) {
			continue
		}
		name, ok := path[3].Value.(ast.String)
		if !ok {
			continue
		}
		names := pkgs[string(name)]
		if names == nil {
			names = map[string]bool{}
			pkgs[string(name)] = names
		}
		for _, r := range m.Rules {
			names[r.Head.Name.String()] = true
			if len(r.Head.Reference) > 0 {
				names[r.Head.Reference[0].String()] = true
			}
		}
	}
	var out []Problem
	for _, camp := range campaigns {
		if camp.Rule == "" {
			continue
		}
		names, ok := pkgs[camp.Rule]
		if !ok {
			out = append(out, Problem{
				File:    dataFile(files, "promo/campaigns/"+camp.ID),
				Field:   campaignField(camp.ID, "rule"),
				Message: fmt.Sprintf("rule %q does not exist: no module has package promo.rules.%s%s", camp.Rule, camp.Rule, suggestRule(camp.Rule, pkgs)),
			})
			continue
		}
		if !names["eligible"] {
			out = append(out, Problem{
				File: dataFile(files, "promo/campaigns/"+camp.ID), Field: campaignField(camp.ID, "rule"),
				Message: fmt.Sprintf("package promo.rules.%s defines no eligible rule", camp.Rule),
			})
		}
		camp.DynamicEffects = names["effects"]
	}
	return out
}

func suggestRule(name string, pkgs map[string]map[string]bool) string {
	return suggest.DidYouMean(name, slices.Collect(maps.Keys(pkgs)))
}
