package bundle

import (
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/when"
)

// compileWhen compiles the when: block of every campaign that has one into
// a module promo.rules.<rule> (see policies/when), adds it to the bundle's
// modules and points the campaign's Rule at it. Rule names come from the
// campaign ids; a name that a module of the bundle already uses gets a
// suffix.
func compileWhen(b *opabundle.Bundle, campaigns []*policies.Campaign, files []string) []Problem {
	taken := when.RulePackages(b)
	problems := checkWhenOfRefused(b, campaigns, files)
	for _, c := range campaigns {
		if c.When == nil {
			continue
		}
		name := when.RuleName(c.ID, func(n string) bool { return taken[n] })
		taken[name] = true
		src, errs := when.Compile(whenCampaign(c, name), c.When, "when")
		file := dataFile(files, "promo/campaigns/"+c.ID)
		for _, e := range errs {
			problems = append(problems, Problem{File: file, Field: campaignField(c.ID, e.Field), Message: e.Message})
		}
		if len(errs) > 0 {
			continue
		}
		path := generatedPath(c)
		mod, err := ast.ParseModuleWithOpts(path, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			problems = append(problems, Problem{File: file, Field: campaignField(c.ID, "when"), Message: "internal error: " + err.Error()})
			continue
		}
		b.Modules = append(b.Modules, opabundle.ModuleFile{URL: path, Path: path, RelativePath: path, Raw: []byte(src), Parsed: mod})
		c.Rule = name
	}
	return problems
}

// whenCampaign is what the when compiler needs to know of c.
func whenCampaign(c *policies.Campaign, rule string) when.Campaign {
	zone := ""
	if c.Timezone != nil {
		zone = c.Timezone.String()
	}
	return when.Campaign{ID: c.ID, Name: c.Name, Rule: rule, Currency: c.Currency, Timezone: zone}
}

// checkWhenOfRefused reports the problems of the when: blocks of campaigns
// refused for other reasons, so that one lint lists every problem.
func checkWhenOfRefused(b *opabundle.Bundle, campaigns []*policies.Campaign, files []string) []Problem {
	ok := map[string]bool{}
	for _, c := range campaigns {
		ok[c.ID] = true
	}
	promo, _ := b.Data["promo"].(map[string]any)
	docs, _ := promo["campaigns"].(map[string]any)
	ids := make([]string, 0, len(docs))
	for id := range docs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var problems []Problem
	for _, id := range ids {
		doc, _ := docs[id].(map[string]any)
		if ok[id] || doc == nil || doc["when"] == nil {
			continue
		}
		str := func(k string) string { s, _ := doc[k].(string); return s }
		c := when.Campaign{ID: id, Rule: "refused", Currency: str("currency"), Timezone: str("timezone")}
		_, errs := when.Compile(c, doc["when"], "when")
		for _, e := range errs {
			problems = append(problems, Problem{File: dataFile(files, "promo/campaigns/"+id), Field: campaignField(id, e.Field), Message: e.Message})
		}
	}
	return problems
}

// prepareWhen compiles the when: block of every campaign that has one for
// native evaluation (compileWhen has checked them and named their rules).
// Nil when no campaign has one.
func prepareWhen(campaigns []*policies.Campaign, files []string) (policies.Rules, []Problem) {
	var programs []*when.Program
	var decided []*policies.Campaign
	var problems []Problem
	for _, c := range campaigns {
		if c.When == nil {
			continue
		}
		p, errs := when.Prepare(whenCampaign(c, c.Rule), c.When, "when")
		for _, e := range errs {
			problems = append(problems, Problem{File: dataFile(files, "promo/campaigns/"+c.ID), Field: campaignField(c.ID, e.Field), Message: "internal error: " + e.Message})
		}
		programs, decided = append(programs, p), append(decided, c)
	}
	if len(programs) == 0 || len(problems) > 0 {
		return nil, problems
	}
	return when.NewEvaluator(decided, programs), nil
}

// generatedPath is the path of the module generated from c's when: block
// (no such file: the module exists only in the loaded bundle).
func generatedPath(c *policies.Campaign) string { return "/promo/campaigns/" + c.ID + "/when.rego" }
