package rego

import (
	"context"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
)

// reading is how the batch query reads a rule package's document.
type reading int

const (
	// readEligible: the package defines nothing but eligible, so its
	// document is {"eligible": value} and the query reads only that rule,
	// which costs less than building the package's document.
	readEligible reading = iota
	// readDocument: the whole package document, every rule of it.
	readDocument
	// readWithCampaign: the whole document, with input.campaign set.
	readWithCampaign
)

// plan says how to read each rule package of the compiled bundle.
func plan(ctx context.Context, c *ast.Compiler, store storage.Store) map[string]reading {
	out := map[string]reading{}
	readers := campaignReaders(c)
	hasData := baseData(ctx, store)
	for _, m := range c.Modules {
		name, ok := ruleName(m.Package.Path)
		if !ok {
			continue
		}
		switch {
		case readers[name]:
			out[name] = readWithCampaign
		case !hasData && onlyEligible(c, m.Package.Path[:4]):
			out[name] = readEligible
		default:
			out[name] = readDocument
		}
	}
	return out
}

// onlyEligible reports whether the rules under path (its package and any
// package below it) all define path.eligible.
func onlyEligible(c *ast.Compiler, path ast.Ref) bool {
	want := path.Append(eligibleKey)
	for _, r := range c.GetRules(path) {
		if !r.Ref().Equal(want) {
			return false
		}
	}
	return true
}

// baseData reports whether the bundle holds data under data.promo.rules,
// which would be part of the package documents.
func baseData(ctx context.Context, store storage.Store) bool {
	_, err := storage.ReadOne(ctx, store, storage.Path{"promo", "rules"})
	return !storage.IsNotFound(err)
}

// campaignReaders lists the rule packages (promo.rules.<name>) that may
// read input.campaign: a rule of the package, or one it depends on, refers
// to input.campaign, to input as a whole, or to input[x] with x not a
// constant. Only these run under `with input as ...`; the others see the
// request as it is, which costs nothing per rule (a with copies the input
// and empties OPA's caches).
func campaignReaders(c *ast.Compiler) map[string]bool {
	out := map[string]bool{}
	reads := map[*ast.Rule]bool{} // memo: the rule itself reads the campaign
	for _, m := range c.Modules {
		name, ok := ruleName(m.Package.Path)
		if !ok || out[name] {
			continue
		}
		seeds := c.GetRules(m.Package.Path[:4])
		out[name] = anyReads(c.Graph, seeds, reads)
	}
	return out
}

// ruleName is <name> of a package path data.promo.rules.<name>[...].
func ruleName(p ast.Ref) (string, bool) {
	if len(p) < 4 || !p[1].Equal(ast.StringTerm("promo")) || !p[2].Equal(ast.StringTerm("rules")) {
		return "", false
	}
	s, ok := p[3].Value.(ast.String)
	return string(s), ok
}

// anyReads walks the dependencies of seeds.
func anyReads(g *ast.Graph, seeds []*ast.Rule, memo map[*ast.Rule]bool) bool {
	seen := map[*ast.Rule]bool{}
	stack := append([]*ast.Rule(nil), seeds...)
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[r] {
			continue
		}
		seen[r] = true
		read, known := memo[r]
		if !known {
			read = readsCampaign(r)
			memo[r] = read
		}
		if read {
			return true
		}
		for dep := range g.Dependencies(r) {
			if d, ok := dep.(*ast.Rule); ok {
				stack = append(stack, d)
			}
		}
		if r.Else != nil {
			stack = append(stack, r.Else)
		}
	}
	return false
}

// readsCampaign reports whether one rule (head and body) may read
// input.campaign.
func readsCampaign(r *ast.Rule) bool {
	found := false
	var vis *ast.GenericVisitor
	vis = ast.NewGenericVisitor(func(x any) bool {
		if found {
			return true
		}
		switch x := x.(type) {
		case ast.Ref:
			if !x[0].Equal(ast.InputRootDocument) {
				return false
			}
			key, isString := refKey(x)
			if !isString || key == "campaign" {
				found = true
				return true
			}
			for _, t := range x[1:] {
				vis.Walk(t)
			}
			return true // input.<key> without campaign: the head is not bare input
		case ast.Var:
			if x.Equal(ast.InputRootDocument.Value) {
				found = true
			}
		}
		return found
	})
	vis.Walk(r.Head)
	vis.Walk(r.Body)
	return found
}

// refKey is the constant first key of a ref into input.
func refKey(ref ast.Ref) (string, bool) {
	if len(ref) < 2 {
		return "", false
	}
	s, ok := ref[1].Value.(ast.String)
	return string(s), ok
}
