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

// runWithKey carries the campaigns whose rules read input.campaign, each
// with the whole input its rule sees.
const runWithKey = "__promoedge_run_with"

// batchQuery decides every campaign listed under input[RunKey] (pairs of
// campaign id and rule name) in one evaluation, on the request as it is.
// The campaigns under input[runWithKey] (triples of campaign id, rule name
// and the rule's input: the request with input.campaign) run with that
// input instead; the input is bound to a variable first: OPA's rule
// indexer does not see a with-value written as a ref with variables (it
// evaluated such rules as undefined).
const batchQuery = `__results := {id: doc |
	some pair in input.` + RunKey + `
	id := pair[0]
	doc := data.promo.rules[pair[1]]
}
__with := {id: doc |
	some triple in input.` + runWithKey + `
	id := triple[0]
	r_input := triple[2]
	doc := data.promo.rules[triple[1]] with input as r_input
}`

var _ policies.Rules = (*Evaluator)(nil)

// Evaluator decides campaigns whose document names a Rego rule. It is safe
// for concurrent use: the prepared query is shared by every request.
type Evaluator struct {
	query opa.PreparedEvalQuery
	// readers are the rule packages that may read input.campaign.
	readers map[string]bool
	store   storage.Store
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
	return &Evaluator{query: pq, readers: campaignReaders(compiler), store: store}, nil
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
	run, with, err := e.runLists(ctx, input, campaigns)
	if err != nil {
		return err
	}
	input.Insert(ast.StringTerm(RunKey), ast.ArrayTerm(run...))
	input.Insert(ast.StringTerm(runWithKey), ast.ArrayTerm(with...))
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
	results, ok1 := rs[0].Bindings["__results"].(*ast.Term).Value.(ast.Object)
	withResults, ok2 := rs[0].Bindings["__with"].(*ast.Term).Value.(ast.Object)
	if !ok1 || !ok2 {
		return errors.New("rule query returned no object")
	}
	for i, c := range campaigns {
		id := ast.StringTerm(c.ID)
		doc := results.Get(id)
		if e.readers[c.Rule] {
			doc = withResults.Get(id)
		}
		out[i] = verdict(c, doc)
	}
	return nil
}

// runLists splits campaigns into the ones whose rules run on the request
// as it is and the ones whose rules read input.campaign; each of the
// latter gets the request's top-level keys (shared, not copied) and its
// campaign document.
func (e *Evaluator) runLists(ctx context.Context, input ast.Object, campaigns []*policies.Campaign) (run, with []*ast.Term, err error) {
	var base [][2]*ast.Term
	for _, c := range campaigns {
		if !e.readers[c.Rule] {
			run = append(run, ast.ArrayTerm(ast.StringTerm(c.ID), ast.StringTerm(c.Rule)))
			continue
		}
		if base == nil {
			base = requestKeys(input)
		}
		doc, err := e.campaignDoc(ctx, c.ID)
		if err != nil {
			return nil, nil, err
		}
		kv := append(base[:len(base):len(base)], [2]*ast.Term{ast.InternedTerm("campaign"), doc})
		with = append(with, ast.ArrayTerm(ast.StringTerm(c.ID), ast.StringTerm(c.Rule), ast.ObjectTerm(kv...)))
	}
	return run, with, nil
}

// requestKeys is the request's top-level pairs, less the run lists and any
// campaign key of its own (the campaign document replaces it).
func requestKeys(input ast.Object) [][2]*ast.Term {
	kv := make([][2]*ast.Term, 0, input.Len())
	input.Foreach(func(k, v *ast.Term) {
		if s, ok := k.Value.(ast.String); ok && (s == RunKey || s == runWithKey || s == "campaign") {
			return
		}
		kv = append(kv, [2]*ast.Term{k, v})
	})
	return kv
}

// campaignDoc reads data.promo.campaigns[id] as an AST value.
func (e *Evaluator) campaignDoc(ctx context.Context, id string) (*ast.Term, error) {
	v, err := storage.ReadOne(ctx, e.store, storage.Path{"promo", "campaigns", id})
	if err != nil {
		return nil, fmt.Errorf("reading campaign %s: %w", id, err)
	}
	if av, ok := v.(ast.Value); ok {
		return ast.NewTerm(av), nil
	}
	av, err := ast.InterfaceToValue(v)
	if err != nil {
		return nil, fmt.Errorf("reading campaign %s: %w", id, err)
	}
	return ast.NewTerm(av), nil
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
