package policies_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// FuzzDecodeEvent: any body is an event or a *RequestError, never a panic,
// and an event always has an id, a type and a customer.
func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		`{"id":"e1","type":"review_written","customer_id":"u-1"}`,
		`{"id":"e1","type":"review_written","customer":{"id":"u-1"},"at":"2026-01-01T00:00:00Z"}`,
		`{"id":"","type":"X"}`, `[]`, `{"id":1}`, "{\"id\":\"e\",\"type\":\"a\",\"customer_id\":\"\\u0000\"}",
	} {
		f.Add([]byte(s))
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := policies.DecodeEvent(body, now)
		var re *policies.RequestError
		switch {
		case err != nil && !errors.As(err, &re):
			t.Fatalf("%q: %T %v", body, err, err)
		case err == nil && (ev.ID == "" || ev.Type == "" || ev.CustomerID == "" || strings.ContainsRune(ev.CustomerID, 0)):
			t.Fatalf("%q accepted as %+v", body, ev)
		}
	})
}

// TestDecodeEventDecodesAsRequestsDo: an event body goes through the
// request's decoder, so its nesting is bounded on both paths (a body the
// fast path declines used to reach encoding/json unbounded) and its
// numbers stay json.Number.
func TestDecodeEventDecodesAsRequestsDo(t *testing.T) {
	deep := `{"id":"e1","type":"review_written","customer_id":"u-1","attributes":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`
	var re *policies.RequestError
	if _, err := policies.DecodeEvent([]byte(deep), time.Now()); !errors.As(err, &re) || !strings.Contains(err.Error(), "deeper") {
		t.Fatalf("5,000 levels: %v", err)
	}
	ev, err := policies.DecodeEvent([]byte(`{"id":"e1","type":"review_written","customer_id":"u-1","stars":5}`), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ev.Doc["stars"].(interface{ Int64() (int64, error) }); !ok {
		t.Fatalf("stars decoded as %T, want json.Number", ev.Doc["stars"])
	}
}
