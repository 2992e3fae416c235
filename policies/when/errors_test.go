package when_test

import (
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies/when"
)

// TestCompileProblems: every problem names its field and says what to
// write instead; a block reports all of its problems at once.
func TestCompileProblems(t *testing.T) {
	for _, tc := range []struct {
		name, block string
		want        []string // "field: message part"
	}{
		{"typo in a condition", "costumer: {tier: vip}",
			[]string{`when.costumer: unknown condition; did you mean "customer"?`}},
		{"typo in a customer field", "customer: {tire: vip}",
			[]string{`when.customer.tire: unknown customer condition; did you mean "tier"?`}},
		{"condition at the wrong level", "subtotal: {over: 100}",
			[]string{`when.subtotal: unknown condition; subtotal goes under cart`}},
		{"typo in a comparison", "cart: {subtotal: {ovr: 100}}",
			[]string{`when.cart.subtotal.ovr: unknown comparison; did you mean "over"?`}},
		{"no comparison", "cart: {subtotal: {}}",
			[]string{`when.cart.subtotal: needs a comparison`}},
		{"negative amount", "cart: {subtotal: {over: -1}}",
			[]string{`when.cart.subtotal.over: must be at least 0, got -1`}},
		{"amount with cents as decimals", "cart: {subtotal: {over: 10.5}}",
			[]string{`when.cart.subtotal.over: must be an integer, got 10.5`}},
		{"unknown time zone", "days: weekend\ntimezone: Europe/Dubln",
			[]string{`when.timezone: unknown IANA time zone "Europe/Dubln"; did you mean "Europe/Dublin"?`}},
		{"zone by city", "days: weekend\ntimezone: dublin",
			[]string{`did you mean "Europe/Dublin"?`}},
		{"unknown day", "days: [saturday, sundy]",
			[]string{`when.days: unknown day "sundy"; did you mean "sunday"?`}},
		{"bad hour", `hours: {from: "9am", until: "17:00"}`,
			[]string{`when.hours.from: must be a time of day like "09:30", got "9am"`}},
		{"empty window", `hours: {from: "10:00", until: "10:00"}`,
			[]string{`when.hours.until: must differ from from`}},
		{"empty block", "{}", []string{`when: needs at least one condition`}},
		{"empty any", "any: []", []string{`when.any: must list at least one block`}},
		{"not a block", "any: [vip]", []string{`when.any[0]: must be a mapping, got a string`}},
		{"several problems at once", "customer: {tier: []}\ncart: {itmes: 3}\nchannel: 7",
			[]string{`when.cart.itmes: unknown cart condition; did you mean "items"?`, `when.channel: must be an array of strings`, `when.customer.tier: must name at least one value`}},
		{"birthday too far", "customer: {birthday_within_days: 400}",
			[]string{`when.customer.birthday_within_days: must be at most 366`}},
		{"bad attribute", "customer: {attributes: {x: {y: 1}}}",
			[]string{`when.customer.attributes.x: must be a string, number, boolean or a list of them`}},
		{"not a mapping", "vip", []string{`when: must be a mapping of conditions (or a list of them), got a string`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, errs := when.Compile(when.Campaign{ID: "c", Rule: "c"}, decode(t, []byte(tc.block)), "when")
			if src != "" {
				t.Errorf("a block with problems compiled:\n%s", src)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems %q, want %d like %q", got, len(tc.want), tc.want)
			}
			for _, w := range tc.want {
				found := false
				for _, g := range got {
					found = found || strings.Contains(g, w)
				}
				if !found {
					t.Errorf("no problem like %q in %q", w, got)
				}
			}
		})
	}
}
