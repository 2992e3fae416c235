package wasm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
)

// BuildOPA writes the OPA-wasm form of the bundle directory dir to out as
// a .tar.gz: the bundle's data and modules plus a policy.wasm with one
// entrypoint promo/rules/<rule> per rule package, as
// `opa build -t wasm -b dir -e promo/rules/<rule> ...` makes it. Loaded by
// promoedge, its campaigns are decided by OPAEvaluator.
// `promoctl build --target wasm` calls it.
func BuildOPA(ctx context.Context, dir string, out io.Writer) error {
	b, err := opabundle.NewCustomReader(opabundle.NewDirectoryLoader(dir)).WithRegoVersion(ast.RegoV1).Read()
	if err != nil {
		return fmt.Errorf("building the wasm form: %w", err)
	}
	rules := RulePackages(&b)
	if len(rules) == 0 {
		return errors.New("building the wasm form: the bundle has no rule package promo.rules.<rule>")
	}
	eps := make([]string, len(rules))
	for i, r := range rules {
		eps[i] = RuleEntrypoint(r)
	}
	c := compile.New().
		WithTarget(compile.TargetWasm).
		WithAsBundle(true).
		WithPaths(dir).
		WithEntrypoints(eps...).
		WithRegoVersion(ast.RegoV1).
		WithOutput(out)
	if err := c.Build(ctx); err != nil {
		return fmt.Errorf("building the wasm form: %w", err)
	}
	return nil
}

// RulePackages lists the rules of a bundle: the names <rule> of its
// packages promo.rules.<rule>, sorted.
func RulePackages(b *opabundle.Bundle) []string {
	seen := map[string]bool{}
	for _, m := range b.Modules {
		if m.Parsed == nil {
			continue
		}
		p := m.Parsed.Package.Path
		if len(p) != 4 || !p[1].Equal(ast.StringTerm("promo")) || !p[2].Equal(ast.StringTerm("rules")) {
			continue
		}
		if name, ok := p[3].Value.(ast.String); ok {
			seen[string(name)] = true
		}
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
