package bundle

import (
	"errors"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/promoedge/promoedge/internal/suggest"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/when"
)

// readTriggers validates every document under data.promo.triggers
// (promo/triggers/<id>/data.yaml), with what they name: campaigns that
// issue generated codes, the loyalty program of points, the webhook
// endpoints (when known), and their when: blocks, compiled for native
// evaluation. Nil without any trigger.
func readTriggers(b *opabundle.Bundle, files []string, campaigns []*policies.Campaign, program *policies.Program, endpoints map[string]bool) (*policies.Triggers, []Problem) {
	problems := refuseEventInCampaigns(campaigns, files)
	promo, _ := b.Data["promo"].(map[string]any)
	raw, ok := promo["triggers"]
	if !ok {
		return nil, problems
	}
	docs, ok := raw.(map[string]any)
	if !ok {
		return nil, append(problems, Problem{File: dataFile(files, "promo/triggers"), Field: "promo.triggers", Message: "must be an object of triggers by id"})
	}
	byID := map[string]*policies.Campaign{}
	for _, c := range campaigns {
		byID[c.ID] = c
	}
	var ts []*policies.Trigger
	var programs []*when.Program
	var standIns []*policies.Campaign
	standIn := map[string]*policies.Campaign{}
	for _, id := range slices.Sorted(maps.Keys(docs)) {
		file := dataFile(files, "promo/triggers/"+id)
		at := func(f string) string { return triggerField(id, f) }
		doc, ok := docs[id].(map[string]any)
		if !ok {
			problems = append(problems, Problem{File: file, Field: at(""), Message: "trigger must be an object"})
			continue
		}
		t, err := policies.ParseTrigger(id, doc)
		var te *policies.TriggerError
		if errors.As(err, &te) {
			for _, p := range te.Problems {
				problems = append(problems, Problem{File: file, Field: at(p.Field), Message: p.Message})
			}
		}
		before := len(problems)
		problems = append(problems, checkActions(t, file, byID, program, endpoints)...)
		if t.When != nil {
			zone := ""
			if t.Timezone != nil {
				zone = t.Timezone.String()
			}
			wc := when.Campaign{ID: "trigger " + id, Name: t.Name, Rule: "trigger_" + when.RuleName(id, nil), Timezone: zone}
			p, errs := when.Prepare(wc, t.When, "when")
			for _, e := range errs {
				problems = append(problems, Problem{File: file, Field: at(e.Field), Message: e.Message})
			}
			if len(errs) == 0 {
				c := &policies.Campaign{ID: wc.ID, Name: t.Name, Rule: wc.Rule, When: t.When, Enabled: true}
				programs, standIns, standIn[id] = append(programs, p), append(standIns, c), c
			}
		}
		if err == nil && len(problems) == before {
			ts = append(ts, t)
		}
	}
	if len(problems) > 0 {
		return nil, problems
	}
	var rules policies.Rules
	if len(programs) > 0 {
		rules = when.NewEvaluator(standIns, programs)
	}
	return policies.NewTriggers(ts, rules, standIn), nil
}

func triggerField(id, f string) string {
	if f == "" {
		return "promo.triggers." + id
	}
	return "promo.triggers." + id + "." + f
}

// checkActions checks what t's actions name outside t.
func checkActions(t *policies.Trigger, file string, campaigns map[string]*policies.Campaign, program *policies.Program, endpoints map[string]bool) []Problem {
	var problems []Problem
	for i, a := range t.Actions {
		at := func(f string) string { return triggerField(t.ID, "actions["+strconv.Itoa(i)+"]."+f) }
		switch a.Type {
		case policies.ActionIssueCode:
			c := campaigns[a.Campaign]
			switch {
			case c == nil:
				problems = append(problems, Problem{File: file, Field: at("campaign"), Message: "no campaign " + quoteName(a.Campaign) + " in the bundle" + suggest.DidYouMean(a.Campaign, slices.Sorted(maps.Keys(campaigns)))})
			case !c.UniqueCodes:
				problems = append(problems, Problem{File: file, Field: at("campaign"), Message: "campaign " + a.Campaign + " has no unique_codes: an issued code is a generated one"})
			}
		case policies.ActionPoints:
			if program == nil {
				problems = append(problems, Problem{File: file, Field: at("points"), Message: "points need the bundle's loyalty program (promo/loyalty/data.yaml)"})
			}
		case policies.ActionWebhook:
			if endpoints != nil && !endpoints[a.Endpoint] {
				known := slices.Sorted(maps.Keys(endpoints))
				msg := "no webhook endpoint " + quoteName(a.Endpoint) + suggest.DidYouMean(a.Endpoint, known)
				if len(known) == 0 {
					msg += "; none is configured (--webhook NAME=URL)"
				} else {
					msg += "; the endpoints are " + strings.Join(known, ", ")
				}
				problems = append(problems, Problem{File: file, Field: at("endpoint"), Message: msg})
			}
		}
	}
	return problems
}

// refuseEventInCampaigns: event: conditions read the event that started
// a trigger; a campaign has none.
func refuseEventInCampaigns(campaigns []*policies.Campaign, files []string) []Problem {
	var problems []Problem
	for _, c := range campaigns {
		if p := eventCondition(c.When, "when"); p != "" {
			problems = append(problems, Problem{File: dataFile(files, "promo/campaigns/"+c.ID), Field: campaignField(c.ID, p),
				Message: "event conditions are for triggers (promo/triggers): a campaign prices a cart, not an event"})
		}
	}
	sort.Slice(problems, func(i, j int) bool { return problems[i].Field < problems[j].Field })
	return problems
}

// eventCondition is the path of the first event: condition in block, ""
// if none.
func eventCondition(block any, at string) string {
	switch b := block.(type) {
	case []any:
		for i, x := range b {
			if p := eventCondition(x, at+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
	case map[string]any:
		if b["event"] != nil {
			return at + ".event"
		}
		for _, k := range []string{"any", "all", "not"} {
			if p := eventCondition(b[k], at+"."+k); p != "" {
				return p
			}
		}
	}
	return ""
}

func quoteName(s string) string { return `"` + s + `"` }
