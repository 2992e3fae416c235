package policies_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

func TestParseCampaignRefusesBadDocuments(t *testing.T) {
	for _, tc := range []struct {
		name  string
		doc   string
		field string // the one problem's path
		says  string // part of its message
	}{
		{"unknown effect type", `{"effects": [{"type": "percent_of", "percent": 10}]}`,
			"effects[0].type", `did you mean "percent_off"?`},
		{"missing effect type", `{"effects": [{"percent": 10}]}`, "effects[0].type", "is required"},
		{"percent over 100", `{"effects": [{"type": "percent_off", "percent": 100.01}]}`, "effects[0].percent", "from 0 to 100"},
		{"percent with 3 decimals", `{"effects": [{"type": "percent_off", "percent": 12.345}]}`, "effects[0].percent", "at most 2 decimals"},
		{"negative percent", `{"effects": [{"type": "percent_off", "percent": -5}]}`, "effects[0].percent", "from 0 to 100"},
		{"percent missing", `{"effects": [{"type": "percent_off"}]}`, "effects[0].percent", "is required"},
		{"get percent with 3 decimals",
			`{"effects": [{"type": "buy_x_get_y", "buy": {"quantity": 1}, "get": {"quantity": 1, "percent": 33.333}}]}`,
			"effects[0].get.percent", "at most 2 decimals"},
		{"typo in a campaign field", `{"prority": 5, "effects": [{"type": "free_shipping"}]}`, "prority", `did you mean "priority"?`},
		{"typo in an effect field", `{"effects": [{"type": "percent_off", "percent": 10, "max_discout": 5}]}`,
			"effects[0].max_discout", `did you mean "max_discount"?`},
		{"typo in a filter field", `{"effects": [{"type": "percent_off", "percent": 10, "filter": {"sku": ["A"]}}]}`,
			"effects[0].filter.sku", `did you mean "skus"?`},
		{"typo in limits", `{"limits": {"budjet": 5}, "effects": [{"type": "free_shipping"}]}`, "limits.budjet", `did you mean "budget"?`},
		{"unknown timezone", `{"timezone": "Europe/Dublinn", "effects": [{"type": "free_shipping"}]}`, "timezone", "unknown IANA time zone"},
		{"Local is not a timezone", `{"timezone": "Local", "effects": [{"type": "free_shipping"}]}`, "timezone", "unknown IANA time zone"},
		{"valid_until before valid_from",
			`{"valid_from": "2026-06-01T00:00:00", "valid_until": "2026-05-31T23:59:59", "effects": [{"type": "free_shipping"}]}`,
			"valid_until", "after valid_from"},
		{"valid_until equal to valid_from",
			`{"valid_from": "2026-06-01", "valid_until": "2026-06-01T00:00:00", "effects": [{"type": "free_shipping"}]}`,
			"valid_until", "after valid_from"},
		{"bad valid_from", `{"valid_from": "June 1st", "effects": [{"type": "free_shipping"}]}`, "valid_from", "local time"},
		{"both code and unique_codes", `{"code": "SUMMER20", "unique_codes": true, "effects": [{"type": "free_shipping"}]}`,
			"code", "not both"},
		{"both rule and wasm", `{"rule": "a", "wasm": "b"}`, "wasm", "not both"},
		{"no effects and no rule", `{"name": "nothing"}`, "effects", "is required"},
		{"bad stacking", `{"stacking": "greedy", "effects": [{"type": "free_shipping"}]}`, "stacking", "stackable, exclusive, stop, best"},
		{"typo in stacking", `{"stacking": "bets", "group": "g", "effects": [{"type": "free_shipping"}]}`, "stacking", `did you mean "best"?`},
		{"best without a group", `{"stacking": "best", "effects": [{"type": "free_shipping"}]}`, "group", "is required with stacking: best"},
		{"best with a blank group", `{"stacking": "best", "group": "  ", "effects": [{"type": "free_shipping"}]}`, "group", "is required"},
		{"group without best", `{"stacking": "exclusive", "group": "g", "effects": [{"type": "free_shipping"}]}`, "group", "only a campaign with stacking: best"},
		{"unknown period", `{"limits": {"per_period": {"period": "weak", "redemptions": 5}}, "effects": [{"type": "free_shipping"}]}`,
			"limits.per_period.period", `unknown period "weak"; did you mean "week"?`},
		{"far period", `{"limits": {"per_period": {"period": "fortnight", "redemptions": 5}}, "effects": [{"type": "free_shipping"}]}`,
			"limits.per_period.period", "periods are day, week, month"},
		{"period missing", `{"limits": {"per_period": {"redemptions": 5}}, "effects": [{"type": "free_shipping"}]}`,
			"limits.per_period.period", "is required"},
		{"period without a limit", `{"limits": {"per_period": {"period": "day"}}, "effects": [{"type": "free_shipping"}]}`,
			"limits.per_period.period", "sets no limit"},
		{"typo in per_period", `{"limits": {"per_period": {"period": "day", "budget": 5, "per_custmer": 1}}, "effects": [{"type": "free_shipping"}]}`,
			"limits.per_period.per_custmer", `did you mean "per_customer"?`},
		{"negative period budget", `{"limits": {"per_period": {"period": "month", "budget": -1}}, "effects": [{"type": "free_shipping"}]}`,
			"limits.per_period.budget", "at least 0"},
		{"typo in per_period's name", `{"limits": {"per_perod": {"period": "day"}}, "effects": [{"type": "free_shipping"}]}`,
			"limits.per_perod", `did you mean "per_period"?`},
		{"bad currency", `{"currency": "eur", "effects": [{"type": "free_shipping"}]}`, "currency", "ISO 4217"},
		{"negative limit", `{"limits": {"redemptions": -1}, "effects": [{"type": "free_shipping"}]}`, "limits.redemptions", "at least 0"},
		{"bad scope", `{"effects": [{"type": "amount_off", "amount": 5, "scope": "line"}]}`, "effects[0].scope", `"cart" or "items"`},
		{"fractional amount", `{"effects": [{"type": "amount_off", "amount": 5.5}]}`, "effects[0].amount", "integer"},
		{"buy quantity 0", `{"effects": [{"type": "buy_x_get_y", "buy": {"quantity": 0}, "get": {"quantity": 1}}]}`,
			"effects[0].buy.quantity", "at least 1"},
		{"get missing", `{"effects": [{"type": "buy_x_get_y", "buy": {"quantity": 1}}]}`, "effects[0].get", "is required"},
		{"points and per_amount", `{"effects": [{"type": "points", "points": 5, "per_amount": {"points": 1, "amount": 100}}]}`,
			"effects[0].points", "not both"},
		{"per_amount of 0", `{"effects": [{"type": "points", "per_amount": {"points": 1, "amount": 0}}]}`,
			"effects[0].per_amount.amount", "at least 1"},
		{"free item without sku", `{"effects": [{"type": "free_item", "quantity": 1}]}`, "effects[0].sku", "is required"},
		{"nested attribute value", `{"effects": [{"type": "percent_off", "percent": 5, "filter": {"attributes": {"size": {"eu": 42}}}}]}`,
			"effects[0].filter.attributes.size", "string, number, boolean"},
		{"effect not an object", `{"effects": ["free_shipping"]}`, "effects[0]", "must be an object"},
		{"empty exclude", `{"effects": [{"type": "percent_off", "percent": 5, "filter": {"exclude": {}}}]}`,
			"effects[0].filter.exclude", "which lines to leave out"},
		{"typo in an exclude", `{"effects": [{"type": "percent_off", "percent": 5, "filter": {"exclude": {"skus": ["B"], "sku": ["A"]}}}]}`,
			"effects[0].filter.exclude.sku", `did you mean "skus"?`},
		{"gift card with effects", `{"gift_card": {"amount": 100}, "effects": [{"type": "free_shipping"}]}`, "effects", "no effects"},
		{"gift card with a public code", `{"code": "GIFT", "gift_card": {"amount": 100}}`, "code", "generated codes"},
		{"negative gift card amount", `{"gift_card": {"amount": -100}}`, "gift_card.amount", "at least 0"},
		{"typo in gift_card", `{"gift_card": {"amount": 100, "expire_dayz": 5}}`, "gift_card.expire_dayz", `did you mean "expire_days"?`},
		{"campaign filter without gift_card", `{"filter": {"skus": ["A"]}, "effects": [{"type": "free_shipping"}]}`, "filter", "only a gift card program"},
		{"referral without points", `{"referral": {"max_referrals": {"default": 3}}, "effects": [{"type": "free_shipping"}]}`,
			"referral.referrer_points", "is required"},
		{"negative max_referrals", `{"referral": {"referrer_points": {"default": 1}, "max_referrals": {"basic": -1}}, "effects": [{"type": "free_shipping"}]}`,
			"referral.max_referrals.basic", "at least 0"},
		{"referral and gift card", `{"referral": {"referrer_points": {"default": 1}, "max_referrals": {"default": 1}}, "gift_card": {"amount": 100}}`,
			"referral", "not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policies.ParseCampaign("summer", decodeDoc(t, tc.doc))
			var ce *policies.CampaignError
			if !errors.As(err, &ce) {
				t.Fatalf("ParseCampaign = %v, want a *CampaignError", err)
			}
			if !errors.Is(err, policies.ErrInvalidCampaign) || ce.Campaign != "summer" {
				t.Errorf("error %v: campaign %q", err, ce.Campaign)
			}
			if len(ce.Problems) != 1 {
				t.Fatalf("%d problems, want 1: %v", len(ce.Problems), err)
			}
			p := ce.Problems[0]
			if p.Field != tc.field || !strings.Contains(p.Message, tc.says) {
				t.Errorf("problem %q: %q, want %q: ...%s...", p.Field, p.Message, tc.field, tc.says)
			}
		})
	}
}

func TestParseCampaignReportsEveryProblem(t *testing.T) {
	doc := `{"prority": 1, "timezone": "Nowhere/City", "code": "X", "unique_codes": true,
		"effects": [{"type": "percent_off", "percent": 101}, {"type": "amount_of", "amount": 5}]}`
	_, err := policies.ParseCampaign("many", decodeDoc(t, doc))
	var ce *policies.CampaignError
	if !errors.As(err, &ce) {
		t.Fatalf("ParseCampaign = %v", err)
	}
	var fields []string
	for _, p := range ce.Problems {
		fields = append(fields, p.Field)
	}
	want := []string{"timezone", "code", "effects[0].percent", "effects[1].type", "prority"}
	if strings.Join(fields, " ") != strings.Join(want, " ") {
		t.Errorf("problems at %q, want %q", fields, want)
	}
}

func TestParseCampaignReadsSchedulesInItsZone(t *testing.T) {
	doc := `{"valid_from": "2026-03-17T00:00:00", "valid_until": "2026-11-01T01:30:00Z", "timezone": "America/New_York",
		"code": " summer20 ", "effects": [{"type": "free_shipping"}]}`
	c, err := policies.ParseCampaign("ny", decodeDoc(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 17, 4, 0, 0, 0, time.UTC); !c.ValidFrom.Equal(want) {
		t.Errorf("valid_from = %v, want %v (EDT)", c.ValidFrom, want)
	}
	// a time with an offset is taken as it is, whatever the zone
	if want := time.Date(2026, 11, 1, 1, 30, 0, 0, time.UTC); !c.ValidUntil.Equal(want) {
		t.Errorf("valid_until = %v, want %v", c.ValidUntil, want)
	}
	if c.Code != "summer20" || !c.NeedsCode() || c.Stacking != policies.Stackable || !c.Enabled {
		t.Errorf("campaign = %+v", c)
	}
}
