package rego

import (
	"fmt"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// sameRules finds rule packages that are copies of one another: the same
// modules once each package's own path and the compiler's names for local
// variables are taken out. Campaigns often share a condition (scripts/gen-bundle.py's
// do, and so do marketers' variants of one offer); a package that reads
// the same as an earlier one (by name) has the same document for a given
// input, so a batch evaluates only the first. It maps each copy to that
// first package.
//
// Only packages read on the request as it is take part: not the ones that
// read input.campaign (their inputs differ), not packages with packages
// below them, and not modules that call rego.metadata (which sees the
// package path).
func sameRules(c *ast.Compiler, plan map[string]reading) map[string]string {
	texts := map[string][]string{}
	skip := map[string]bool{}
	for _, m := range c.Modules {
		name, ok := ruleName(m.Package.Path)
		if !ok {
			continue
		}
		text, ok := selfless(m)
		if !ok || len(m.Package.Path) != 4 || plan[name].withCampaign() {
			skip[name] = true
			continue
		}
		texts[name] = append(texts[name], text)
	}
	names := make([]string, 0, len(texts))
	for name := range texts {
		if !skip[name] {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	first := map[string]string{} // text -> first package with it
	out := map[string]string{}
	for _, name := range names {
		slices.Sort(texts[name])
		key := fmt.Sprintf("%d\x00%s", plan[name], strings.Join(texts[name], "\x00"))
		if f, ok := first[key]; ok {
			out[name] = f
		} else {
			first[key] = name
		}
	}
	return out
}

// self stands for a package's own path in selfless texts.
var self = ast.MustParseRef("data.promo.rules.__self__")

// selfless is a compiled module's text with its package path (in the
// package clause and in every ref into the package) replaced by self, and
// the compiler's local variables (numbered across the whole bundle) renamed
// in order of appearance. false for a module that calls rego.metadata.
func selfless(m *ast.Module) (string, bool) {
	if strings.Contains(m.String(), "rego.metadata") {
		return "", false
	}
	cp := m.Copy()
	own := cp.Package.Path
	cp.Package.Path = self.Copy() // Transform writes into the refs it walks
	renamed := map[ast.Var]ast.Var{}
	out, err := ast.Transform(transformer(func(x any) (any, error) {
		switch x := x.(type) {
		case ast.Ref:
			if x.HasPrefix(own) {
				return self.Copy().Concat(x[len(own):]), nil
			}
		case ast.Var:
			if !x.IsGenerated() && !strings.HasPrefix(string(x), "__local") {
				return x, nil
			}
			if _, ok := renamed[x]; !ok {
				renamed[x] = ast.Var(fmt.Sprintf("__v%d__", len(renamed)))
			}
			return renamed[x], nil
		}
		return x, nil
	}), cp)
	if err != nil {
		return "", false
	}
	return out.(*ast.Module).String(), true
}

// transformer adapts a function to ast.Transformer.
type transformer func(any) (any, error)

func (f transformer) Transform(x any) (any, error) { return f(x) }
