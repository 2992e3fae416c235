package bundle_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

// TestProblemsNameFileLineAndField: the mistakes marketers make each come
// back with the file, the line and the field, and the name they meant.
func TestProblemsNameFileLineAndField(t *testing.T) {
	dir := files{
		".manifest": `{"revision": "r"}`,
		"promo/campaigns/typo/data.yaml": `name: Typo
priority: 10
when:
  customer:
    tire: vip
effects:
  - {type: percent_of, percent: 10}
`,
		"promo/campaigns/pct/data.yaml": `name: Too much
effects:
  - type: percent_off
    percent: 120
`,
		"promo/campaigns/zone/data.yaml": `name: Zones
timezone: Europe/Dubln
when:
  days: weekend
  timezone: America/New_Yrok
effects: [{type: free_shipping}]
`,
		"promo/campaigns/both/data.json": "{\n  \"rule\": \"vip\",\n  \"when\": {\"customer\": {\"tier\": \"vip\"}},\n  \"effects\": [{\"type\": \"free_shipping\"}]\n}\n",
		"promo/campaigns/field/data.yaml": `name: Field
prority: 5
effects: [{type: free_shipping}]
`,
		"promo/rules/vip.rego": vipRule,
	}.writeDir(t)
	_, err := bundle.LoadPath(context.Background(), dir)
	le := loadError(t, err)
	want := []string{
		`promo/campaigns/both/data.json:3: campaigns.both.when: a campaign has either a rule or a when block, not both`,
		`promo/campaigns/field/data.yaml:2: campaigns.field.prority: unknown field; did you mean "priority"?`,
		`promo/campaigns/pct/data.yaml:4: campaigns.pct.effects[0].percent: percent must be`,
		`promo/campaigns/typo/data.yaml:7: campaigns.typo.effects[0].type: unknown effect type "percent_of"`,
		`did you mean "percent_off"?`,
		`promo/campaigns/zone/data.yaml:2: campaigns.zone.timezone: unknown IANA time zone "Europe/Dubln"; did you mean "Europe/Dublin"?`,
		`promo/campaigns/typo/data.yaml:5: campaigns.typo.when.customer.tire: unknown customer condition; did you mean "tier"?`,
		`promo/campaigns/zone/data.yaml:5: campaigns.zone.when.timezone: unknown IANA time zone "America/New_Yrok"; did you mean "America/New_York"?`,
	}
	var got []string
	for _, p := range le.Problems {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("no problem like\n\t%s\nin\n\t%s", w, strings.Join(got, "\n\t"))
		}
	}
	if len(got) != len(want)-1 {
		t.Errorf("%d problems, want %d:\n\t%s", len(got), len(want)-1, strings.Join(got, "\n\t"))
	}
}

// TestDataSyntaxErrorHasFileAndLine: a YAML data file that does not parse
// is refused with its file and line.
func TestDataSyntaxErrorHasFileAndLine(t *testing.T) {
	dir := files{
		"promo/campaigns/bad/data.yaml": "name: Bad\neffects:\n  - {type: free_shipping\n",
	}.writeDir(t)
	_, err := bundle.LoadPath(context.Background(), dir)
	le := loadError(t, err)
	if len(le.Problems) != 1 || le.Problems[0].File != "promo/campaigns/bad/data.yaml" || le.Problems[0].Line == 0 {
		t.Errorf("problems = %+v", le.Problems)
	}
}

// TestLinesOfSharedDataFiles: campaigns written together in one data file
// above them get the lines of their own fields.
func TestLinesOfSharedDataFiles(t *testing.T) {
	dir := files{
		"promo/campaigns/data.yaml": "a:\n  effects: [{type: free_shipping}]\nb.c:\n  effects:\n    - {type: free_shiping}\n",
		"data.json":                 "{\n  \"other\": 1\n}\n",
	}.writeDir(t)
	_, err := bundle.LoadPath(context.Background(), dir)
	le := loadError(t, err)
	if len(le.Problems) != 1 || le.Problems[0].String() != `promo/campaigns/data.yaml:5: campaigns.b.c.effects[0].type: unknown effect type "free_shiping"; one of [percent_off amount_off fixed_price buy_x_get_y free_shipping free_item points]; did you mean "free_shipping"?` {
		t.Errorf("problems = %v", le.Problems)
	}
}

// TestWhenRuleNameAvoidsHandWrittenPackages: a when: campaign whose id
// names an existing rule package gets another name, and both rules run.
func TestWhenRuleNameAvoidsHandWrittenPackages(t *testing.T) {
	dir := files{
		"promo/campaigns/vip/data.yaml":      "when: {customer: {tier: gold}}\neffects: [{type: amount_off, amount: 100}]\n",
		"promo/campaigns/vip-rego/data.yaml": "rule: vip\neffects: [{type: amount_off, amount: 10}]\n",
		"promo/rules/vip.rego":               vipRule,
	}.writeDir(t)
	rev, err := bundle.LoadPath(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := rev.Campaign("vip")
	if c.Rule != "vip_2" {
		t.Errorf("generated rule %q, want vip_2", c.Rule)
	}
	eng := policies.NewEngine(policies.Config{})
	eng.Swap(rev)
	for tier, want := range map[string]int64{"gold": 100, "vip": 10} {
		req, err := policies.DecodeRequest([]byte(`{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 1, "unit_price": 1000}]},
			"customer": {"id": "u", "tier": "`+tier+`"}}`), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		dec, err := eng.Evaluate(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if dec.Discount != want {
			t.Errorf("%s: discount %d, want %d (%+v)", tier, dec.Discount, want, dec.Rejected)
		}
	}
}

// TestHandWrittenRuleReadsGeneratedOne: the Rego evaluator of a bundle
// whose when: blocks are decided natively leaves their generated modules
// out, unless a hand-written rule refers to one; then it keeps them.
func TestHandWrittenRuleReadsGeneratedOne(t *testing.T) {
	dir := files{
		"promo/campaigns/web/data.yaml":  "when: {channel: web}\neffects: [{type: amount_off, amount: 100}]\n",
		"promo/campaigns/also/data.yaml": "rule: also\neffects: [{type: amount_off, amount: 10}]\n",
		"promo/rules/also.rego":          "package promo.rules.also\n\neligible if data.promo.rules.web.eligible\n",
	}.writeDir(t)
	rev, err := bundle.LoadPath(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	eng := policies.NewEngine(policies.Config{})
	eng.Swap(rev)
	for channel, want := range map[string]int64{"web": 110, "pos": 0} {
		req, err := policies.DecodeRequest([]byte(`{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 1, "unit_price": 1000}]},
			"context": {"channel": "`+channel+`"}}`), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		dec, err := eng.Evaluate(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if dec.Discount != want {
			t.Errorf("%s: discount %d, want %d (%+v)", channel, dec.Discount, want, dec.Rejected)
		}
	}
}
