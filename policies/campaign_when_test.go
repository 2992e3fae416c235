package policies_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies"
)

func TestParseCampaignTakesWhen(t *testing.T) {
	c, err := policies.ParseCampaign("vip", decodeDoc(t, `{"when": {"customer": {"tier": "vip"}}, "effects": [{"type": "free_shipping"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.When == nil || c.Rule != "" || !c.HasRule() {
		t.Errorf("campaign %+v: want its when block kept, no rule yet, and HasRule", c)
	}
	for _, tc := range []struct{ name, doc, field, says string }{
		{"rule and when", `{"rule": "vip", "when": {"customer": {"tier": "vip"}}, "effects": []}`, "when", "either a rule or a when block, not both"},
		{"wasm and when", `{"wasm": "m", "when": {"channel": "web"}, "effects": []}`, "when", "either a wasm module or a when block"},
		{"when needs effects", `{"when": {"channel": "web"}}`, "effects", "is required"},
		{"typo", `{"wen": {"channel": "web"}, "effects": []}`, "wen", `did you mean "when"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policies.ParseCampaign("c", decodeDoc(t, tc.doc))
			var ce *policies.CampaignError
			if !errors.As(err, &ce) || len(ce.Problems) != 1 || ce.Problems[0].Field != tc.field || !strings.Contains(ce.Problems[0].Message, tc.says) {
				t.Errorf("ParseCampaign = %v; want one problem at %s saying %q", err, tc.field, tc.says)
			}
		})
	}
}
