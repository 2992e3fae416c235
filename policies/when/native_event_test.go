package when_test

import (
	"encoding/json"
	"testing"
)

// TestNativeMatchesOPAOnEventAttributes: event: {attributes: {...}} (a
// trigger's condition on the event that started it, read at
// input.event.attributes) decides natively as OPA decides its generated
// Rego, on generated requests whose event is absent, null, without
// attributes, or with attributes of every JSON kind.
func TestNativeMatchesOPAOnEventAttributes(t *testing.T) {
	blocks := []any{
		map[string]any{"event": map[string]any{"attributes": map[string]any{"store_id": "berlin-1"}}},
		map[string]any{"event": map[string]any{"attributes": map[string]any{"store_id": []any{"berlin-1", "dublin-2"}, "rating": json.Number("5")}}},
		map[string]any{"not": map[string]any{"event": map[string]any{"attributes": map[string]any{"verified": true}}}},
		map[string]any{"any": []any{
			map[string]any{"event": map[string]any{"attributes": map[string]any{"store_id": "dublin-2"}}},
			map[string]any{"customer": map[string]any{"segments": []any{"newsletter"}}},
		}},
	}
	differential(t, newGen(11), newPair(t, blocks), requestsPerKind, withEvent)
}

// withEvent adds an input.event of a random shape to body.
func withEvent(t *testing.T, g *gen, body []byte) []byte {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	switch g.r.IntN(6) {
	case 0: // none
	case 1:
		doc["event"] = nil
	case 2:
		doc["event"] = map[string]any{"type": "location_entered"}
	default:
		doc["event"] = map[string]any{"type": "location_entered", "attributes": map[string]any{
			"store_id": g.pick("berlin-1", "dublin-2", "paris-3", 1, nil),
			"rating":   g.pick(5, 4, "5", 5.0),
			"verified": g.pick(true, false, "true"),
		}}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
