package rego

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/metrics"
	opa "github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/promoedge/promoedge/policies"
)

// RunKey is the input key that carries the rule packages whose documents
// are read whole.
const RunKey = "__promoedge_run"

// The input keys of the other run lists: rule packages that define only
// eligible, and campaigns whose rules read input.campaign.
const (
	runEligibleKey = "__promoedge_run_eligible"
	runWithKey     = "__promoedge_run_with"
	runWholeKey    = "__promoedge_run_whole"
	runWholeWith   = "__promoedge_run_whole_with"
)

// runKeys are the run lists' keys by reading.
var runKeys = [5]*ast.Term{
	readEligible:          ast.StringTerm(runEligibleKey),
	readDocument:          ast.StringTerm(RunKey),
	readWithCampaign:      ast.StringTerm(runWithKey),
	readWhole:             ast.StringTerm(runWholeKey),
	readWholeWithCampaign: ast.StringTerm(runWholeWith),
}

// batchQuery decides every campaign of the run lists in one evaluation.
// The lists under RunKey and runEligibleKey are rule names, each read once
// on the request as it is (campaigns that share a rule share its answer);
// the one under runWithKey triples of campaign id, rule name and the
// rule's input (the request with input.campaign), bound to a variable
// first: OPA's rule indexer does not see a with-value written as a ref
// with variables (it evaluated such rules as undefined). Of a package
// read for its document, eligible is evaluated for all, reasons only
// where eligible is not true (false or undefined), effects only where it
// is true: the rest of the package is not evaluated (docs/rules.md). The
// lists under runWholeKey and runWholeWith are of packages read whole
// (readWhole, readWholeWithCampaign).
const batchQuery = `__whole := {rule: doc |
	some rule in input.` + runWholeKey + `
	doc := data.promo.rules[rule]
}
__whole_with := {id: doc |
	some triple in input.` + runWholeWith + `
	id := triple[0]
	r_input := triple[2]
	doc := data.promo.rules[triple[1]] with input as r_input
}
__eligible := {rule: v |
	some rule in input.` + runEligibleKey + `
	v := data.promo.rules[rule].eligible
}
__doc_eligible := {rule: v |
	some rule in input.` + RunKey + `
	v := data.promo.rules[rule].eligible
}
__doc_reasons := {rule: v |
	some rule in input.` + RunKey + `
	not __doc_eligible[rule]
	v := data.promo.rules[rule].reasons
}
__doc_effects := {rule: v |
	some rule in input.` + RunKey + `
	__doc_eligible[rule] == true
	v := data.promo.rules[rule].effects
}
__with_eligible := {id: v |
	some triple in input.` + runWithKey + `
	id := triple[0]
	r_input := triple[2]
	v := data.promo.rules[triple[1]].eligible with input as r_input
}
__with_reasons := {id: v |
	some triple in input.` + runWithKey + `
	id := triple[0]
	not __with_eligible[id]
	r_input := triple[2]
	v := data.promo.rules[triple[1]].reasons with input as r_input
}
__with_effects := {id: v |
	some triple in input.` + runWithKey + `
	id := triple[0]
	__with_eligible[id] == true
	r_input := triple[2]
	v := data.promo.rules[triple[1]].effects with input as r_input
}`

// batch is a batch query's answers, by reading: each rule's (under with,
// each campaign's) eligible; reasons and effects for the readings of a
// whole document (index reading-1).
type batch struct {
	eligible [3]ast.Object
	reasons  [2]ast.Object
	effects  [2]ast.Object
	whole    ast.Object // the documents of the packages read whole
	wholeTo  ast.Object // under with: each campaign's
}

// batchVars are the query's result variables, in batch's order.
var batchVars = [9]string{"__eligible", "__doc_eligible", "__with_eligible", "__doc_reasons", "__with_reasons", "__doc_effects", "__with_effects", "__whole", "__whole_with"}

// objects are b's result objects, in batchVars' order.
func (b *batch) objects() [9]*ast.Object {
	return [9]*ast.Object{&b.eligible[0], &b.eligible[1], &b.eligible[2], &b.reasons[0], &b.reasons[1], &b.effects[0], &b.effects[1], &b.whole, &b.wholeTo}
}

var _ policies.Rules = (*Evaluator)(nil)

// Evaluator decides campaigns whose document names a Rego rule. It is safe
// for concurrent use: the prepared query is shared by every request.
type Evaluator struct {
	query opa.PreparedEvalQuery
	// plan says how each rule package is read; same maps a package that
	// is a copy of another to that one (see sameRules).
	plan  map[string]reading
	same  map[string]string
	slots map[string]int // rule name -> index in names
	names []*ast.Term    // rule names as terms
	store storage.Store
	// cterms caches campaignTerms by *policies.Campaign.
	cterms sync.Map
	limits Limits
}

// New prepares the batch query over a compiled bundle and its data store,
// with the default Limits. The compiler must hold the bundle's modules;
// the store its data.
func New(ctx context.Context, compiler *ast.Compiler, store storage.Store) (*Evaluator, error) {
	return NewLimited(ctx, compiler, store, Limits{})
}

// NewLimited is New with limits on each evaluation.
func NewLimited(ctx context.Context, compiler *ast.Compiler, store storage.Store, limits Limits) (*Evaluator, error) {
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
	e := &Evaluator{query: pq, plan: plan(ctx, compiler, store), slots: map[string]int{}, store: store, limits: limits.withDefaults()}
	e.same = sameRules(compiler, e.plan)
	for name := range e.plan {
		e.slots[name] = len(e.names)
		e.names = append(e.names, ast.StringTerm(name))
	}
	return e, nil
}

// Decide implements policies.Rules.
func (e *Evaluator) Decide(ctx context.Context, req *policies.Request, campaigns []*policies.Campaign, out []policies.Verdict) error {
	input, err := toValue(req.Input)
	if err != nil {
		return fmt.Errorf("converting the request for the rules: %w", err)
	}
	obj, ok := input.(ast.Object)
	if !ok {
		return errors.New("request input is not an object")
	}
	if err := e.decide(ctx, obj, campaigns, out, true); err == nil {
		return nil
	}
	// One rule failed the batch: decide each campaign alone, on its own
	// rule (so that the error names its files), to find it.
	for i := range campaigns {
		if err := e.decide(ctx, obj, campaigns[i:i+1], out[i:i+1], false); err != nil {
			out[i] = policies.Verdict{Err: err}
		}
	}
	return nil
}

// decide runs one evaluation for campaigns; shared says whether a copy of
// another package is evaluated as that one (see sameRules).
func (e *Evaluator) decide(ctx context.Context, input ast.Object, campaigns []*policies.Campaign, out []policies.Verdict, shared bool) error {
	runs, err := e.runLists(ctx, input, campaigns, shared)
	if err != nil {
		return err
	}
	for r, key := range runKeys {
		input.Insert(key, ast.ArrayTerm(runs[r]...))
	}
	results, err := e.eval(ctx, input)
	if err != nil {
		return err
	}
	for i, c := range campaigns {
		out[i] = e.read(c, &results, shared)
	}
	return nil
}

// runLists are the run lists of campaigns, by reading: each rule once
// (shared: each package copied by others once), and one triple per
// campaign whose rule reads input.campaign.
func (e *Evaluator) runLists(ctx context.Context, input ast.Object, campaigns []*policies.Campaign, shared bool) ([5][]*ast.Term, error) {
	var runs [5][]*ast.Term
	seen := make([]bool, len(e.slots))
	for _, c := range campaigns {
		t := e.terms(c)
		if t.reading.withCampaign() {
			w, err := e.withCampaign(ctx, input, c, t)
			if err != nil {
				return runs, err
			}
			runs[t.reading] = append(runs[t.reading], w)
			continue
		}
		rule, slot := t.rule, t.slot
		if shared {
			rule, slot = t.same, t.sameSlot
		}
		if slot < 0 || !seen[slot] {
			if slot >= 0 {
				seen[slot] = true
			}
			runs[t.reading] = append(runs[t.reading], rule)
		}
	}
	return runs, nil
}

// eval runs the batch query on input and returns its answers.
func (e *Evaluator) eval(ctx context.Context, input ast.Object) (batch, error) {
	var results batch
	// OPA starts a goroutine per evaluation to watch ctx unless it is
	// given the cancellation; AfterFunc watches a standard context without
	// one, and a context that cannot end needs no watching.
	cancel := topdown.NewCancel()
	if ctx.Done() != nil {
		defer context.AfterFunc(ctx, cancel.Cancel)()
	}
	g := e.limits.watch(cancel)
	rs, err := e.query.Eval(ctx,
		opa.EvalParsedInput(input),
		opa.EvalMetrics(metrics.NoOp()),
		opa.EvalGenerateJSON(keepAST),
		opa.EvalExternalCancel(cancel),
	)
	if stopped := g.done(); stopped != nil {
		return results, stopped
	}
	if err != nil {
		return results, err
	}
	if len(rs) != 1 {
		return results, fmt.Errorf("rule query returned %d results", len(rs))
	}
	for i, obj := range results.objects() {
		t, ok := rs[0].Bindings[batchVars[i]].(*ast.Term)
		if ok {
			*obj, ok = t.Value.(ast.Object)
		}
		if !ok {
			return results, errors.New("rule query returned no object")
		}
	}
	return results, nil
}

// read is the verdict on c in the batch's results.
func (e *Evaluator) read(c *policies.Campaign, results *batch, shared bool) policies.Verdict {
	t := e.terms(c)
	key := t.rule
	if shared {
		key = t.same
	}
	switch r := t.reading; r {
	case readEligible:
		return eligible(c, results.eligible[r].Get(key))
	case readWhole:
		return verdict(c, results.whole.Get(key))
	case readWholeWithCampaign:
		return verdict(c, results.wholeTo.Get(t.id))
	case readWithCampaign:
		key = t.id
	}
	r := t.reading
	return parts(c, results.eligible[r].Get(key), results.reasons[r-1].Get(key), results.effects[r-1].Get(key))
}

// withCampaign is the run-list entry of a campaign whose rule reads
// input.campaign: its id, its rule, and the request's top-level keys
// (shared, not copied) with its campaign document.
func (e *Evaluator) withCampaign(ctx context.Context, input ast.Object, c *policies.Campaign, t *campaignTerms) (*ast.Term, error) {
	doc, err := e.campaignDoc(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	kv := append(requestKeys(input), [2]*ast.Term{campaignKey, doc})
	return ast.ArrayTerm(t.id, t.rule, ast.ObjectTerm(kv...)), nil
}

// campaignTerms is what a batch needs of a campaign, made once per
// campaign and revision: its id and rule as terms, how its rule is read,
// and the rule evaluated in its place when copies are shared, with their
// slots (indexes of rule names; -1 for a rule the bundle lacks).
type campaignTerms struct {
	id, rule, same *ast.Term
	reading        reading
	slot, sameSlot int
}

func (e *Evaluator) terms(c *policies.Campaign) *campaignTerms {
	if t, ok := e.cterms.Load(c); ok {
		return t.(*campaignTerms)
	}
	t := &campaignTerms{id: ast.StringTerm(c.ID), reading: e.plan[c.Rule]}
	t.rule, t.slot = e.name(c.Rule)
	t.same, t.sameSlot = t.rule, t.slot
	if r, ok := e.same[c.Rule]; ok {
		t.same, t.sameSlot = e.name(r)
	}
	e.cterms.Store(c, t)
	return t
}

// name is a rule name as a term, and its slot.
func (e *Evaluator) name(rule string) (*ast.Term, int) {
	if slot, ok := e.slots[rule]; ok {
		return e.names[slot], slot
	}
	return ast.StringTerm(rule), -1 // a rule the bundle lacks: undefined
}

// requestKeys is the request's top-level pairs, less the run lists and any
// campaign key of its own (the campaign document replaces it).
func requestKeys(input ast.Object) [][2]*ast.Term {
	kv := make([][2]*ast.Term, 0, input.Len())
	input.Foreach(func(k, v *ast.Term) {
		if s, ok := k.Value.(ast.String); ok && (s == RunKey || s == runEligibleKey || s == runWithKey || s == runWholeKey || s == runWholeWith || s == "campaign") {
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
