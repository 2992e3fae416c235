package when

import (
	"strings"
	"testing"
)

// TestLoyaltyConditions: loyalty: {tier, balance, earned} tests
// input.wallet, and a block of one any: is an any (it used to compile to
// "every condition holds").
func TestLoyaltyConditions(t *testing.T) {
	block := map[string]any{
		"any": []any{
			map[string]any{"loyalty": map[string]any{"tier": []any{"vip", "advanced"}}},
			map[string]any{"loyalty": map[string]any{"balance": map[string]any{"at_least": 500}, "earned": map[string]any{"over": 100}}},
		},
	}
	src, errs := Compile(Campaign{ID: "l", Rule: "l"}, block, "when")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, want := range []string{`input.wallet.tier in {"vip", "advanced"}`, "input.wallet.balance >= 500", "input.wallet.earned > 100", "eligible if {\n\tany_1\n}"} {
		if !strings.Contains(src, want) {
			t.Errorf("missing %q in\n%s", want, src)
		}
	}
	_, errs = Compile(Campaign{ID: "l", Rule: "l"}, map[string]any{"loyalty": map[string]any{"teir": "vip"}}, "when")
	if len(errs) != 1 || !strings.Contains(errs[0].Message, `did you mean "tier"?`) {
		t.Fatalf("typo: %v", errs)
	}
}
