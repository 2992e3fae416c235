package rego

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
)

// BuildPolicyWasm writes the OPA-wasm form of bundle b to out as a .tar.gz: the
// bundle's data and modules plus a policy.wasm with one entrypoint
// promo/rules/<rule> per rule package, as
// `opa build -t wasm -b <dir> -e promo/rules/<rule> ...` makes it (OPA
// takes the rules it compiled out of the modules it ships). Loaded by
// promoedge, its campaigns are decided by CompiledEvaluator. Module paths are
// taken relative to the bundle's root. policies/bundle.BuildWasm, which
// `promoctl build --target wasm` calls, adds the rules of when: campaigns
// first.
func BuildPolicyWasm(ctx context.Context, b *opabundle.Bundle, out io.Writer) error {
	rules := RulePackages(b)
	if len(rules) == 0 {
		return errors.New("building the wasm form: the bundle has no rule package promo.rules.<rule>")
	}
	eps := make([]string, len(rules))
	for i, r := range rules {
		eps[i] = RuleEntrypoint(r)
	}
	return BuildPolicyWasmEntrypoints(ctx, b, eps, out)
}

// BuildPolicyWasmEntrypoints is BuildPolicyWasm with the entrypoints given.
func BuildPolicyWasmEntrypoints(ctx context.Context, b *opabundle.Bundle, eps []string, out io.Writer) error {
	rooted := *b
	rooted.Modules = make([]opabundle.ModuleFile, len(b.Modules))
	for i, m := range b.Modules {
		if m.RelativePath != "" {
			m.Path = "/" + strings.TrimPrefix(m.RelativePath, "/")
			m.URL = m.Path
		}
		rooted.Modules[i] = m
	}
	c := compile.New().
		WithTarget(compile.TargetWasm).
		WithAsBundle(true).
		WithBundle(&rooted).
		WithEntrypoints(eps...).
		WithRegoVersion(ast.RegoV1).
		WithOutput(out)
	if err := c.Build(ctx); err != nil {
		return fmt.Errorf("building the wasm form: %w", err)
	}
	return nil
}

// WrapperEntrypoint is the entrypoint of a rule whose package has
// functions: OPA cannot plan a package's whole document when it defines
// functions, so BuildWasm compiles instead a package promo.compiled whose
// document <rule> holds the rule's eligible, reasons and effects.
func WrapperEntrypoint(rule string) string { return "promo/compiled/" + rule }

// Wrapper is the Rego of WrapperEntrypoint(rule) for each of rules.
func Wrapper(rules []string) string {
	var b strings.Builder
	b.WriteString("package promo.compiled\n\n")
	for _, r := range rules {
		for _, k := range []string{"eligible", "reasons", "effects"} {
			fmt.Fprintf(&b, "%s.%s := data.promo.rules[%q].%s\n", ruleVar(r), k, r, k)
		}
	}
	return b.String()
}

// ruleVar is the rule name as a Rego identifier (rule names are package
// path segments, which are identifiers already).
func ruleVar(rule string) string { return rule }

// HasFunctions reports whether the module defines a function.
func HasFunctions(m *ast.Module) bool {
	for _, r := range m.Rules {
		if len(r.Head.Args) > 0 {
			return true
		}
	}
	return false
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
