package when_test

import (
	"encoding/json"
	"testing"
)

// TestNativeMatchesOPAOnLoyaltyAndRootAny: the loyalty conditions (on
// input.wallet) and a block whose whole root is one any: decide natively
// as OPA decides their generated Rego, on generated requests with and
// without a wallet (absent, null, numbers, strings).
func TestNativeMatchesOPAOnLoyaltyAndRootAny(t *testing.T) {
	blocks := []any{
		map[string]any{"loyalty": map[string]any{"tier": "gold"}},
		map[string]any{"loyalty": map[string]any{"tier": []any{"gold", "silver"}, "balance": map[string]any{"at_least": 500}}},
		map[string]any{"loyalty": map[string]any{"earned": map[string]any{"over": 1000}}},
		map[string]any{"not": map[string]any{"loyalty": map[string]any{"balance": map[string]any{"under": 100}}}},
		map[string]any{"any": []any{
			map[string]any{"loyalty": map[string]any{"tier": "gold"}},
			map[string]any{"cart": map[string]any{"subtotal": map[string]any{"over": 5000}}},
		}},
		map[string]any{"any": []any{
			map[string]any{"customer": map[string]any{"tier": "vip"}},
			map[string]any{"channel": "web"},
		}},
	}
	differential(t, newGen(7), newPair(t, blocks), requestsPerKind, withWallet)
}

// withWallet adds an input.wallet of a random shape to body.
func withWallet(t *testing.T, g *gen, body []byte) []byte {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	switch g.r.IntN(5) {
	case 0: // none
	case 1:
		doc["wallet"] = nil
	default:
		doc["wallet"] = map[string]any{
			"tier":    g.pick("gold", "silver", "basic", 3),
			"balance": g.pick(0, 99, 100, 500, 750, "600"),
			"earned":  g.pick(0, 1000, 1001, 5000),
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
