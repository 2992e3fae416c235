package policies

import (
	"context"
	"fmt"
)

// Router is the Rules of a revision whose campaigns are decided by more
// than one rule backend: it sends each campaign to the route that takes it
// and puts the verdicts back in order. Bundle loading builds its table,
// one Route per backend; adding a backend is a Rules and a row there.
type Router struct {
	// Routes are the backends in the order Decide calls them.
	Routes []Route
}

// Route is one rule backend of a Router.
type Route struct {
	// Name names the backend (Router.Backend).
	Name string
	// Takes reports whether the backend decides c. A campaign goes to the
	// first route that takes it, else to the first route whose Takes is
	// nil (the default backend).
	Takes func(c *Campaign) bool
	// Rules decides the route's campaigns; nil answers each with an error.
	Rules Rules
}

var _ Rules = (*Router)(nil)

// Backend returns the Rules of the route named name, or nil.
func (r *Router) Backend(name string) Rules {
	for i := range r.Routes {
		if r.Routes[i].Name == name {
			return r.Routes[i].Rules
		}
	}
	return nil
}

// route is the index in Routes of the route of c; len(Routes) when no
// route takes it.
func (r *Router) route(c *Campaign) int {
	def := len(r.Routes)
	for i := range r.Routes {
		switch takes := r.Routes[i].Takes; {
		case takes == nil:
			def = min(def, i)
		case takes(c):
			return i
		}
	}
	return def
}

// rules is the Rules of route i: nil for no route.
func (r *Router) rules(i int) Rules {
	if i == len(r.Routes) {
		return nil
	}
	return r.Routes[i].Rules
}

// Decide implements Rules. A request whose campaigns all go to one
// backend is passed through as it is.
func (r *Router) Decide(ctx context.Context, req *Request, campaigns []*Campaign, out []Verdict) error {
	counts := make([]int, len(r.Routes)+1)
	for _, c := range campaigns {
		counts[r.route(c)]++
	}
	for route, n := range counts {
		if n == len(campaigns) {
			return r.decide(ctx, route, req, campaigns, out)
		}
	}
	for route, n := range counts {
		if n > 0 {
			if err := r.decideSome(ctx, route, n, req, campaigns, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// decideSome decides the n campaigns of route.
func (r *Router) decideSome(ctx context.Context, route, n int, req *Request, campaigns []*Campaign, out []Verdict) error {
	sub := make([]*Campaign, 0, n)
	idx := make([]int, 0, n)
	for i, c := range campaigns {
		if r.route(c) == route {
			sub = append(sub, c)
			idx = append(idx, i)
		}
	}
	verdicts := make([]Verdict, len(sub))
	if err := r.decide(ctx, route, req, sub, verdicts); err != nil {
		return err
	}
	for k, i := range idx {
		out[i] = verdicts[k]
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
