package policies

import (
	"context"
	"fmt"
)

// Router is the Rules of a revision whose campaigns are decided by more
// than one evaluator: it sends each campaign to the one its document names
// and puts the verdicts back in order.
type Router struct {
	// Rego decides campaigns with a rule that has no compiled form.
	Rego Rules
	// Compiled decides campaigns whose rule is in CompiledRules (the
	// bundle's policy.wasm, built by `opa build -t wasm`).
	Compiled      Rules
	CompiledRules map[string]bool
	// Wasm decides campaigns with a custom wasm module.
	Wasm Rules
}

var _ Rules = (*Router)(nil)

// route names the evaluators in the order Decide calls them.
const (
	routeRego = iota
	routeCompiled
	routeWasm
	routes
)

func (r *Router) route(c *Campaign) int {
	switch {
	case c.Wasm != "":
		return routeWasm
	case r.CompiledRules[c.Rule]:
		return routeCompiled
	default:
		return routeRego
	}
}

func (r *Router) rules(route int) Rules {
	return [routes]Rules{r.Rego, r.Compiled, r.Wasm}[route]
}

// Decide implements Rules. A request whose campaigns all go to one
// evaluator is passed through as it is.
func (r *Router) Decide(ctx context.Context, req *Request, campaigns []*Campaign, out []Verdict) error {
	var counts [routes]int
	for _, c := range campaigns {
		counts[r.route(c)]++
	}
	for route, n := range counts {
		if n == len(campaigns) {
			return r.decide(ctx, route, req, campaigns, out)
		}
	}
	for route, n := range counts {
		if n == 0 {
			continue
		}
		sub := make([]*Campaign, 0, n)
		idx := make([]int, 0, n)
		for i, c := range campaigns {
			if r.route(c) == route {
				sub = append(sub, c)
				idx = append(idx, i)
			}
		}
		verdicts := make([]Verdict, n)
		if err := r.decide(ctx, route, req, sub, verdicts); err != nil {
			return err
		}
		for k, i := range idx {
			out[i] = verdicts[k]
		}
	}
	return nil
}

func (r *Router) decide(ctx context.Context, route int, req *Request, campaigns []*Campaign, out []Verdict) error {
	rules := r.rules(route)
	if rules == nil {
		for i, c := range campaigns {
			out[i] = Verdict{Err: fmt.Errorf("%s: no evaluator for its rule", c)}
		}
		return nil
	}
	return rules.Decide(ctx, req, campaigns, out)
}

// Rules is what decides the revision's campaigns (a *Router when more than
// one evaluator does).
func (r *Revision) Rules() Rules { return r.rules }
