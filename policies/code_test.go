package policies_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies"
)

func TestCodeSpecValidate(t *testing.T) {
	for _, ok := range []policies.CodeSpec{
		{Count: 1, Pattern: "#"},
		{Count: policies.MaxCodesPerCall, Pattern: "SPR-####-????", Prefix: "A_", Postfix: "-Z"},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	for _, bad := range []policies.CodeSpec{
		{Count: 0, Pattern: "#"},
		{Count: policies.MaxCodesPerCall + 1, Pattern: "#"},
		{Count: 1, Pattern: "ABC"},
		{Count: 1, Pattern: "a#"},
		{Count: 1, Pattern: "##", Prefix: "#"},
		{Count: 1, Pattern: "# #"},
		{Count: 1, Pattern: "#" + strings.Repeat("A", 64)},
	} {
		if err := bad.Validate(); !errors.Is(err, policies.ErrBadPattern) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if sp := (policies.CodeSpec{Pattern: "X-##?"}); sp.Space() != 2600 {
		t.Errorf("space of %q: %v", sp.Pattern, sp.Space())
	}
}

func TestValidCode(t *testing.T) {
	for c, want := range map[string]bool{
		"SPR-0042-ABCD": true, "A_1": true, strings.Repeat("A", 64): true,
		"": false, "abc": false, "A B": false, strings.Repeat("A", 65): false, "É": false,
	} {
		if got := policies.ValidCode(c); got != want {
			t.Errorf("ValidCode(%q) = %v", c, got)
		}
	}
}

func TestLedgerQueryMatch(t *testing.T) {
	r := &policies.Redemption{CustomerID: "u1", Campaigns: []policies.RedeemedCampaign{{Campaign: "a"}, {Campaign: "b"}}}
	for q, want := range map[policies.LedgerQuery]bool{
		{}:                              true,
		{Customer: "u1"}:                true,
		{Customer: "u2"}:                false,
		{Campaign: "b"}:                 true,
		{Campaign: "c"}:                 false,
		{Campaign: "a", Customer: "u1"}: true,
		{Campaign: "a", Customer: "u2"}: false,
	} {
		if got := q.Match(r); got != want {
			t.Errorf("%+v matched %v", q, got)
		}
	}
}
