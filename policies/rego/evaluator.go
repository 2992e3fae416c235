package rego

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	opa "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/promoedge/promoedge/policies"
)

// RunKey is the input key that carries the campaigns to decide.
const RunKey = "__promoedge_run"

// batchQuery decides every campaign listed under input[RunKey] (pairs of
// campaign id and rule name) in one evaluation. The campaign document is
// bound to a variable first: OPA's rule indexer does not see a with-value
// written as a ref with variables (it evaluated such rules as undefined).
const batchQuery = `__results := {id: doc |
	some pair in input.` + RunKey + `
	id := pair[0]
	campaign := data.promo.campaigns[id]
	doc := data.promo.rules[pair[1]] with input.campaign as campaign
}`

var _ policies.Rules = (*Evaluator)(nil)

// Evaluator decides campaigns whose document names a Rego rule.
type Evaluator struct {
	query opa.PreparedEvalQuery
}

// New prepares the batch query over a compiled bundle and its data store.
// The compiler must hold the bundle's modules; the store its data.
func New(ctx context.Context, compiler *ast.Compiler, store storage.Store) (*Evaluator, error) {
	pq, err := opa.New(
		opa.Query(batchQuery),
		opa.Compiler(compiler),
		opa.Store(store),
		opa.StoreReadAST(true),
		opa.StrictBuiltinErrors(true),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, fmt.Errorf("preparing the rule query: %w", err)
	}
	return &Evaluator{query: pq}, nil
}

// Decide implements policies.Rules.
func (e *Evaluator) Decide(ctx context.Context, req *policies.Request, campaigns []*policies.Campaign, out []policies.Verdict) error {
	input, err := ast.InterfaceToValue(req.Input)
	if err != nil {
		return fmt.Errorf("converting the request for the rules: %w", err)
	}
	obj, ok := input.(ast.Object)
	if !ok {
		return errors.New("request input is not an object")
	}
	if err := e.decide(ctx, obj, campaigns, out); err == nil {
		return nil
	}
	// One rule failed the batch: decide each campaign alone to find it.
	for i := range campaigns {
		if err := e.decide(ctx, obj, campaigns[i:i+1], out[i:i+1]); err != nil {
			out[i] = policies.Verdict{Err: err}
		}
	}
	return nil
}

func (e *Evaluator) decide(ctx context.Context, input ast.Object, campaigns []*policies.Campaign, out []policies.Verdict) error {
	run := make([]*ast.Term, len(campaigns))
	for i, c := range campaigns {
		run[i] = ast.ArrayTerm(ast.StringTerm(c.ID), ast.StringTerm(c.Rule))
	}
	input.Insert(ast.StringTerm(RunKey), ast.ArrayTerm(run...))
	rs, err := e.query.Eval(ctx,
		opa.EvalParsedInput(input),
		opa.EvalMetrics(metrics.NoOp()),
		opa.EvalGenerateJSON(keepAST),
	)
	if err != nil {
		return err
	}
	if len(rs) != 1 {
		return fmt.Errorf("rule query returned %d results", len(rs))
	}
	results, ok := rs[0].Bindings["__results"].(*ast.Term).Value.(ast.Object)
	if !ok {
		return errors.New("rule query returned no object")
	}
	for i, c := range campaigns {
		out[i] = verdict(c, results.Get(ast.StringTerm(c.ID)))
	}
	return nil
}

func keepAST(t *ast.Term, _ *opa.EvalContext) (any, error) { return t, nil }

// verdict reads one rule package's document: eligible, reasons, effects.
func verdict(c *policies.Campaign, doc *ast.Term) policies.Verdict {
	if doc == nil {
		return policies.Verdict{}
	}
	obj, ok := doc.Value.(ast.Object)
	if !ok {
		return policies.Verdict{Err: fmt.Errorf("rule %s: package document is not an object", c.Rule)}
	}
	var v policies.Verdict
	if t := obj.Get(ast.InternedTerm("eligible")); t != nil {
		b, isBool := t.Value.(ast.Boolean)
		if !isBool {
			return policies.Verdict{Err: fmt.Errorf("rule %s: eligible must be a boolean, got %v", c.Rule, t)}
		}
		v.Eligible = bool(b)
	}
	if t := obj.Get(ast.InternedTerm("reasons")); t != nil && !v.Eligible {
		v.Reasons = reasons(t)
	}
	if t := obj.Get(ast.InternedTerm("effects")); t != nil && v.Eligible {
		effs, err := effects(c, t)
		if err != nil {
			return policies.Verdict{Err: err}
		}
		v.Effects = effs
	}
	return v
}

func reasons(t *ast.Term) []string {
	var out []string
	add := func(e *ast.Term) {
		if s, ok := e.Value.(ast.String); ok {
			out = append(out, string(s))
		} else {
			out = append(out, e.String())
		}
	}
	switch x := t.Value.(type) {
	case ast.Set:
		x.Foreach(add)
	case *ast.Array:
		x.Foreach(add)
	default:
		add(t)
	}
	sort.Strings(out)
	return out
}

func effects(c *policies.Campaign, t *ast.Term) ([]policies.Effect, error) {
	raw, err := ast.JSON(t.Value)
	if err != nil {
		return nil, fmt.Errorf("rule %s: effects: %w", c.Rule, err)
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("rule %s: effects must be an array", c.Rule)
	}
	effs, problems := policies.ParseEffects("effects", list)
	if len(problems) > 0 {
		return nil, fmt.Errorf("rule %s returned invalid effects: %s", c.Rule, problems[0].Error())
	}
	return effs, nil
}
