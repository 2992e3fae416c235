package bundle_test

import (
	"context"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/examples"
	"github.com/promoedge/promoedge/policies/bundle"
)

// TestExampleTriggersLoad: the example bundle's four triggers load, with
// their when: blocks compiled.
func TestExampleTriggersLoad(t *testing.T) {
	rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "embedded", Endpoints: map[string]bool{"push": true}}, examples.Default())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, tr := range rev.Triggers.List() {
		ids = append(ids, tr.ID+":"+tr.Event)
	}
	if got := strings.Join(ids, " "); got != "abandoned-cart:cart_abandoned review-bonus:review_written store-visit:location_entered welcome:signed_up" {
		t.Fatalf("triggers %s", got)
	}
}

// TestBadTriggersRefused: a trigger's problems are reported at load like
// a campaign's, each with its file, line and field, and a suggestion for
// a misspelt name; nothing of the bundle is served.
func TestBadTriggersRefused(t *testing.T) {
	dir := files{
		".manifest":                         `{"revision":"t1","roots":["promo"]}`,
		"promo/campaigns/back-10/data.yaml": "unique_codes: true\neffects:\n  - {type: percent_off, percent: 10}\n",
		"promo/campaigns/public/data.yaml":  "code: PUB\neffects:\n  - {type: percent_off, percent: 10}\n",
		"promo/triggers/bad/data.yaml": `event: cart_abandoned
after: 2 days
unles: [order_placed]
when: {event: {atributes: {store_id: x}}}
actions:
  - {type: issue_code, campaign: back-01}
  - {type: issue_code, campaign: public}
  - {type: sms, to: "+1"}
  - {type: points, points: 10}
  - {type: webhook, endpoint: crn}
`,
		"promo/triggers/no-event/data.yaml": "actions: []\n",
		"promo/campaigns/evt/data.yaml":     "when: {event: {attributes: {a: 1}}}\neffects:\n  - {type: percent_off, percent: 10}\n",
	}.writeDir(t)
	_, err := bundle.LoadPathWith(context.Background(), bundle.Config{Source: "t", Endpoints: map[string]bool{"crm": true}}, dir)
	le := loadError(t, err)
	got := map[string]bundle.Problem{}
	for _, p := range le.Problems {
		got[p.Field] = p
		t.Log(p)
	}
	want := []struct{ field, file, says string }{
		{"promo.triggers.bad.after", "promo/triggers/bad/data.yaml", "must be a duration such as 48h"},
		{"promo.triggers.bad.unles", "promo/triggers/bad/data.yaml", `did you mean "unless"?`},
		{"promo.triggers.bad.when.event.atributes", "promo/triggers/bad/data.yaml", `did you mean "attributes"?`},
		{"promo.triggers.bad.actions[0].campaign", "promo/triggers/bad/data.yaml", `did you mean "back-10"?`},
		{"promo.triggers.bad.actions[1].campaign", "promo/triggers/bad/data.yaml", "has no unique_codes"},
		{"promo.triggers.bad.actions[2].type", "promo/triggers/bad/data.yaml", `unknown action "sms"`},
		{"promo.triggers.bad.actions[3].points", "promo/triggers/bad/data.yaml", "loyalty program"},
		{"promo.triggers.bad.actions[4].endpoint", "promo/triggers/bad/data.yaml", `did you mean "crm"?`},
		{"promo.triggers.no-event.event", "promo/triggers/no-event/data.yaml", "is required"},
		{"promo.triggers.no-event.actions", "promo/triggers/no-event/data.yaml", "at least one action"},
		{"campaigns.evt.when.event", "promo/campaigns/evt/data.yaml", "event conditions are for triggers"},
	}
	for _, w := range want {
		p, ok := got[w.field]
		if !ok || p.File != w.file || !strings.Contains(p.Message, w.says) || p.Line == 0 {
			t.Errorf("%s: want %q in %s with a line, got %+v", w.field, w.says, w.file, p)
		}
	}
}
