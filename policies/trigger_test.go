package policies_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// TestParseTrigger: a trigger document's fields, durations in Go's form
// or days, and every problem at once at its field.
func TestParseTrigger(t *testing.T) {
	tr, err := policies.ParseTrigger("ab", map[string]any{
		"event": "cart_abandoned", "after": "2d", "cooldown": "168h", "unless": "order_placed",
		"actions": []any{map[string]any{"type": "points", "points": json.Number("5")}},
	})
	if err != nil || tr.After != 48*time.Hour || tr.Cooldown != 168*time.Hour || !slices.Equal(tr.Unless, []string{"order_placed"}) || tr.Actions[0].Points != 5 {
		t.Fatalf("%+v %v", tr, err)
	}
	_, err = policies.ParseTrigger("bad", map[string]any{
		"event": "Cart", "after": "-1h", "cooldown": "400d", "unless": []any{"Order"},
		"actions": []any{map[string]any{"type": "issue_code", "pattern": "A#"}, map[string]any{"type": "points"}, "x"},
	})
	var te *policies.TriggerError
	if !errors.As(err, &te) || !errors.Is(err, policies.ErrInvalidTrigger) {
		t.Fatalf("want a TriggerError, got %v", err)
	}
	fields := map[string]bool{}
	for _, p := range te.Problems {
		fields[p.Field] = true
	}
	for _, f := range []string{"event", "after", "cooldown", "unless[0]", "actions[0].campaign", "actions[0].pattern", "actions[1].points", "actions[2]"} {
		if !fields[f] {
			t.Errorf("no problem at %s: %v", f, err)
		}
	}
}

// TestTriggerDelays: after and cooldown in Go's form, whole days, or a
// bare zero (written as a string or a number).
func TestTriggerDelays(t *testing.T) {
	for _, tc := range []struct {
		after any
		want  time.Duration
	}{
		{"0", 0}, {json.Number("0"), 0}, {"0s", 0}, {"90m", 90 * time.Minute}, {"2d", 48 * time.Hour}, {" 1d ", 24 * time.Hour},
	} {
		tr, err := policies.ParseTrigger("t", map[string]any{"event": "signed_up", "after": tc.after,
			"actions": []any{map[string]any{"type": "webhook", "endpoint": "crm"}}})
		if err != nil || tr.After != tc.want {
			t.Errorf("after %v: %v %v, want %v", tc.after, tr.After, err, tc.want)
		}
	}
	for _, bad := range []any{"7", json.Number("7"), "2 days", "-1s"} {
		if _, err := policies.ParseTrigger("t", map[string]any{"event": "signed_up", "after": bad,
			"actions": []any{map[string]any{"type": "webhook", "endpoint": "crm"}}}); err == nil {
			t.Errorf("after %v accepted", bad)
		}
	}
}

// FuzzParseTrigger: any JSON document is a trigger or problems, never a
// panic.
func FuzzParseTrigger(f *testing.F) {
	f.Add([]byte(`{"event":"cart_abandoned","after":"48h","unless":["order_placed"],"cooldown":"7d","actions":[{"type":"issue_code","campaign":"c"},{"type":"webhook","endpoint":"crm"}]}`))
	f.Add([]byte(`{"event":"x","actions":[{"type":"points","points":1e30}],"after":7}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var doc map[string]any
		if dec.Decode(&doc) != nil || doc == nil {
			return
		}
		tr, err := policies.ParseTrigger("t", doc)
		if err == nil && (tr.After < 0 || tr.Cooldown < 0 || len(tr.Actions) == 0) {
			t.Fatalf("accepted %s as %+v", b, tr)
		}
	})
}
