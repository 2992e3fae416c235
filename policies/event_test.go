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
