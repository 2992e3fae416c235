package rego

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	_ "github.com/open-policy-agent/opa/v1/features/wasm" // registers OPA's wazero-based engine
	"github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/resolver"
	opawasm "github.com/open-policy-agent/opa/v1/resolver/wasm"

	"github.com/promoedge/promoedge/policies"
)

var _ policies.Rules = (*CompiledEvaluator)(nil)

// CompiledEvaluator decides campaigns whose rule is compiled into an OPA
// policy.wasm (`opa build -t wasm -e promo/rules/<rule>`), with OPA's own
// wazero-based engine. Its input and its reading of the rule's document are
// those of Evaluator, so both forms of a bundle answer alike.
type CompiledEvaluator struct {
	res  *opawasm.Resolver
	refs map[string]ast.Ref               // rule -> data.promo.rules.<rule>
	docs map[*policies.Campaign]*ast.Term // input.campaign of each campaign
	// deadline bounds one rule's evaluation (Limits.Deadline; the wasm
	// memory limit bounds what it allocates).
	deadline time.Duration
}

// WithLimits sets the deadline of each rule's evaluation (DefaultDeadline
// until then); call it before the first Decide.
func (e *CompiledEvaluator) WithLimits(l Limits) *CompiledEvaluator {
	e.deadline = l.withDefaults().Deadline
	return e
}

// RuleEntrypoint is the entrypoint of a rule in a policy.wasm.
func RuleEntrypoint(rule string) string { return "promo/rules/" + rule }

// NewCompiled loads policy (a policy.wasm) with the bundle's data. entrypoints
// gives the entrypoint of every rule of campaigns: RuleEntrypoint(rule), or
// WrapperEntrypoint(rule) for a package with functions. The engine is
// closed when the evaluator is no longer reachable.
func NewCompiled(ctx context.Context, policy []byte, data map[string]any, campaigns []*policies.Campaign, entrypoints map[string]string) (*CompiledEvaluator, error) {
	e := &CompiledEvaluator{refs: map[string]ast.Ref{}, docs: map[*policies.Campaign]*ast.Term{}, deadline: DefaultDeadline}
	var refs []ast.Ref
	for _, c := range campaigns {
		if c.Rule == "" {
			continue
		}
		ref, err := e.add(c, entrypoints)
		if err != nil {
			return nil, err
		}
		if ref != nil {
			refs = append(refs, ref)
		}
	}
	if data == nil {
		data = map[string]any{}
	}
	res, err := opawasm.NewWithContext(ctx, refs, policy, data)
	if err != nil {
		return nil, fmt.Errorf("loading policy.wasm: %w", err)
	}
	e.res = res
	runtime.AddCleanup(e, func(r *opawasm.Resolver) { r.Close() }, res)
	return e, nil
}

// add keeps the document of campaign c and, for the first campaign of its
// rule, the rule's entrypoint as a ref, which it returns.
func (e *CompiledEvaluator) add(c *policies.Campaign, entrypoints map[string]string) (ast.Ref, error) {
	var ref ast.Ref
	if _, known := e.refs[c.Rule]; !known {
		ep, ok := entrypoints[c.Rule]
		if !ok {
			return nil, fmt.Errorf("%s: rule %s has no entrypoint in policy.wasm", c, c.Rule)
		}
		ref = ast.Ref{ast.DefaultRootDocument}
		for _, part := range strings.Split(ep, "/") {
			ref = append(ref, ast.StringTerm(part))
		}
		e.refs[c.Rule] = ref
	}
	doc, err := ast.InterfaceToValue(c.Doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c, err)
	}
	e.docs[c] = ast.NewTerm(doc)
	return ref, nil
}

// Decide implements policies.Rules: one evaluation of the rule's
// entrypoint per campaign, with input.campaign set to its document.
func (e *CompiledEvaluator) Decide(ctx context.Context, req *policies.Request, campaigns []*policies.Campaign, out []policies.Verdict) error {
	v, err := ast.InterfaceToValue(req.Input)
	if err != nil {
		return fmt.Errorf("converting the request for the rules: %w", err)
	}
	input, ok := v.(ast.Object)
	if !ok {
		return errors.New("request input is not an object")
	}
	for i, c := range campaigns {
		out[i] = e.decide(ctx, input, c)
	}
	return nil
}

// decide evaluates c's rule with input.campaign set to its document.
func (e *CompiledEvaluator) decide(ctx context.Context, input ast.Object, c *policies.Campaign) policies.Verdict {
	ref, known := e.refs[c.Rule]
	doc := e.docs[c]
	if !known || doc == nil {
		return policies.Verdict{Err: fmt.Errorf("rule %s is not in policy.wasm", c.Rule)}
	}
	input.Insert(campaignKey, doc)
	ctx, cancel := context.WithTimeout(ctx, e.deadline) // OPA's wasm VM stops when ctx ends
	defer cancel()
	res, err := e.res.Eval(ctx, resolver.Input{Ref: ref, Input: ast.NewTerm(input), Metrics: metrics.NoOp()})
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = ErrDeadline
	}
	if err != nil {
		return policies.Verdict{Err: fmt.Errorf("rule %s (policy.wasm): %w", c.Rule, err)}
	}
	var term *ast.Term
	if res.Value != nil {
		term = ast.NewTerm(res.Value)
	}
	return verdict(c, term)
}
