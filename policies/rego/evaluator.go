package rego

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	opa "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/promoedge/promoedge/policies"
)

// RunKey is the input key that carries the campaigns whose rule package
// documents are read whole.
const RunKey = "__promoedge_run"

// The input keys of the other run lists: campaigns whose packages define
// only eligible, and campaigns whose rules read input.campaign.
const (
	runEligibleKey = "__promoedge_run_eligible"
	runWithKey     = "__promoedge_run_with"
)

// runKeys are the run lists' keys by reading.
var runKeys = [3]*ast.Term{
	readEligible:     ast.StringTerm(runEligibleKey),
	readDocument:     ast.StringTerm(RunKey),
	readWithCampaign: ast.StringTerm(runWithKey),
}

// batchQuery decides every campaign of the run lists in one evaluation.
// The lists under RunKey and runEligibleKey are pairs of campaign id and
// rule name, decided on the request as it is; the one under runWithKey
// triples of campaign id, rule name and the rule's input (the request with
// input.campaign), bound to a variable first: OPA's rule indexer does not
// see a with-value written as a ref with variables (it evaluated such rules
// as undefined).
const batchQuery = `__results := {id: doc |
	some pair in input.` + RunKey + `
	id := pair[0]
	doc := data.promo.rules[pair[1]]
}
__eligible := {id: v |
	some pair in input.` + runEligibleKey + `
	id := pair[0]
	v := data.promo.rules[pair[1]].eligible
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
	// plan says how each rule package is read.
	plan  map[string]reading
	store storage.Store
	// cterms caches campaignTerms by *policies.Campaign.
	cterms sync.Map
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
	return &Evaluator{query: pq, plan: plan(ctx, compiler, store), store: store}, nil
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
	var runs [3][]*ast.Term
	for _, c := range campaigns {
		r := e.plan[c.Rule]
		if r != readWithCampaign {
			runs[r] = append(runs[r], e.terms(c).pair)
			continue
		}
		t, err := e.withCampaign(ctx, input, c)
		if err != nil {
			return err
		}
		runs[r] = append(runs[r], t)
	}
	for r, key := range runKeys {
		input.Insert(key, ast.ArrayTerm(runs[r]...))
	}
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
	var results [3]ast.Object
	for r, name := range [3]string{"__eligible", "__results", "__with"} {
		t, ok := rs[0].Bindings[name].(*ast.Term)
		if ok {
			results[r], ok = t.Value.(ast.Object)
		}
		if !ok {
			return errors.New("rule query returned no object")
		}
	}
	for i, c := range campaigns {
		r := e.plan[c.Rule]
		doc := results[r].Get(e.terms(c).id)
		if r == readEligible {
			out[i] = eligible(c, doc)
		} else {
			out[i] = verdict(c, doc)
		}
	}
	return nil
}

// withCampaign is the run-list entry of a campaign whose rule reads
// input.campaign: its id, its rule, and the request's top-level keys
// (shared, not copied) with its campaign document.
func (e *Evaluator) withCampaign(ctx context.Context, input ast.Object, c *policies.Campaign) (*ast.Term, error) {
	doc, err := e.campaignDoc(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	kv := append(requestKeys(input), [2]*ast.Term{campaignKey, doc})
	t := e.terms(c)
	return ast.ArrayTerm(t.id, t.rule, ast.ObjectTerm(kv...)), nil
}

// campaignTerms are a campaign's id and rule as terms, and the pair of
// them, made once per campaign and revision.
type campaignTerms struct{ id, rule, pair *ast.Term }

func (e *Evaluator) terms(c *policies.Campaign) *campaignTerms {
	if t, ok := e.cterms.Load(c); ok {
		return t.(*campaignTerms)
	}
	t := &campaignTerms{id: ast.StringTerm(c.ID), rule: ast.StringTerm(c.Rule)}
	t.pair = ast.ArrayTerm(t.id, t.rule)
	e.cterms.Store(c, t)
	return t
}

// requestKeys is the request's top-level pairs, less the run lists and any
// campaign key of its own (the campaign document replaces it).
func requestKeys(input ast.Object) [][2]*ast.Term {
	kv := make([][2]*ast.Term, 0, input.Len())
	input.Foreach(func(k, v *ast.Term) {
		if s, ok := k.Value.(ast.String); ok && (s == RunKey || s == runEligibleKey || s == runWithKey || s == "campaign") {
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

// The keys of a rule package document, made once: InternedTerm makes a
// new term for strings outside OPA's own table.
var (
	eligibleKey = ast.StringTerm("eligible")
	reasonsKey  = ast.StringTerm("reasons")
	effectsKey  = ast.StringTerm("effects")
	campaignKey = ast.StringTerm("campaign")
)

// verdict reads one rule package's document: eligible, reasons, effects.
func verdict(c *policies.Campaign, doc *ast.Term) policies.Verdict {
	if doc == nil {
		return policies.Verdict{}
	}
	obj, ok := doc.Value.(ast.Object)
	if !ok {
		return policies.Verdict{Err: fmt.Errorf("rule %s: package document is not an object", c.Rule)}
	}
	v := eligible(c, obj.Get(eligibleKey))
	if v.Err != nil {
		return v
	}
	if t := obj.Get(reasonsKey); t != nil && !v.Eligible {
		v.Reasons = reasons(t)
	}
	if t := obj.Get(effectsKey); t != nil && v.Eligible {
		effs, err := effects(c, t)
		if err != nil {
			return policies.Verdict{Err: err}
		}
		v.Effects = effs
	}
	return v
}

// eligible reads the value of a package's eligible rule; nil (undefined)
// is not eligible.
func eligible(c *policies.Campaign, t *ast.Term) policies.Verdict {
	if t == nil {
		return policies.Verdict{}
	}
	b, isBool := t.Value.(ast.Boolean)
	if !isBool {
		return policies.Verdict{Err: fmt.Errorf("rule %s: eligible must be a boolean, got %v", c.Rule, t)}
	}
	return policies.Verdict{Eligible: bool(b)}
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
