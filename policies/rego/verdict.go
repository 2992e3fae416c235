package rego

import (
	"fmt"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/promoedge/promoedge/policies"
)

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

// parts is the verdict of a package from its rules' values (nil:
// undefined): the batch query evaluates reasons only when eligible is
// not true, and effects only when it is.
func parts(c *policies.Campaign, elig, why, effs *ast.Term) policies.Verdict {
	v := eligible(c, elig)
	switch {
	case v.Err != nil:
		return v
	case !v.Eligible && why != nil:
		v.Reasons = reasons(why)
	case v.Eligible && effs != nil:
		list, err := effects(c, effs)
		if err != nil {
			return policies.Verdict{Err: err}
		}
		v.Effects = list
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
