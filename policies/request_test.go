package policies_test

import (
	"context"
	"encoding/json"
	"errors"
	"math/bits"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

var clock = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// item is a valid cart line with fields replaced by over.
func item(over string) string {
	base := `"id": "l1", "sku": "SHOE-1", "quantity": 2, "unit_price": 4999`
	if over == "" {
		return "{" + base + "}"
	}
	return "{" + over + "}"
}

func TestDecodeRequestRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		body   string
		fields []string // every problem's path, in order
	}{
		{"not json", `{"cart": `, []string{""}},
		{"not an object", `[1, 2]`, []string{""}},
		{"null", `null`, []string{""}},
		{"trailing data", `{"cart": {"currency": "USD"}} {}`, []string{""}},
		{"missing cart", `{"codes": ["X"]}`, []string{"cart"}},
		{"cart not an object", `{"cart": []}`, []string{"cart"}},
		{"missing currency", `{"cart": {"items": []}}`, []string{"cart.currency"}},
		{"lower-case currency", `{"cart": {"currency": "usd"}}`, []string{"cart.currency"}},
		{"currency too long", `{"cart": {"currency": "USDX"}}`, []string{"cart.currency"}},
		{"quantity 0", `{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 0, "unit_price": 100}]}}`,
			[]string{"cart.items[0].quantity"}},
		{"fractional quantity", `{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 1.5, "unit_price": 100}]}}`,
			[]string{"cart.items[0].quantity"}},
		{"quantity as a string", `{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": "2", "unit_price": 100}]}}`,
			[]string{"cart.items[0].quantity"}},
		{"missing quantity", `{"cart": {"currency": "USD", "items": [{"id": "l1", "unit_price": 100}]}}`,
			[]string{"cart.items[0].quantity"}},
		{"negative unit_price", `{"cart": {"currency": "USD", "items": [` + item("") + `, {"id": "l2", "quantity": 1, "unit_price": -1}]}}`,
			[]string{"cart.items[1].unit_price"}},
		{"fractional unit_price", `{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 1, "unit_price": 9.99}]}}`,
			[]string{"cart.items[0].unit_price"}},
		{"missing line id", `{"cart": {"currency": "USD", "items": [{"quantity": 1, "unit_price": 100}]}}`,
			[]string{"cart.items[0].id"}},
		{"duplicate line ids", `{"cart": {"currency": "USD", "items": [` + item("") + `, ` + item("") + `]}}`,
			[]string{"cart.items[1].id"}},
		{"non-object item", `{"cart": {"currency": "USD", "items": [` + item("") + `, "l2"]}}`,
			[]string{"cart.items[1]"}},
		{"items not an array", `{"cart": {"currency": "USD", "items": {}}}`, []string{"cart.items"}},
		{"amount too large", `{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 2000000, "unit_price": 1}]}}`,
			[]string{"cart.items[0].quantity"}},
		{"amount overflows", `{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 16384, "unit_price": 1125899906842624}]}}`,
			[]string{"cart.items[0].quantity"}},
		{"negative shipping", `{"cart": {"currency": "USD", "shipping": {"amount": -1}}}`, []string{"cart.shipping.amount"}},
		{"shipping too large", `{"cart": {"currency": "USD", "shipping": {"amount": 9223372036854775807}}}`,
			[]string{"cart.shipping.amount"}},
		{"bad context.now", `{"cart": {"currency": "USD"}, "context": {"now": "2026-11-24 12:00"}}`, []string{"context.now"}},
		{"context.now without zone", `{"cart": {"currency": "USD"}, "context": {"now": "2026-11-24T12:00:00"}}`, []string{"context.now"}},
		{"context not an object", `{"cart": {"currency": "USD"}, "context": "now"}`, []string{"context"}},
		{"unknown customer.timezone", `{"cart": {"currency": "USD"}, "customer": {"timezone": "Mars/Olympus"}}`,
			[]string{"customer.timezone"}},
		{"bad birthday", `{"cart": {"currency": "USD"}, "customer": {"birthday": "1990-02-30"}}`, []string{"customer.birthday"}},
		{"birthday not padded", `{"cart": {"currency": "USD"}, "customer": {"birthday": "1990-3-17"}}`, []string{"customer.birthday"}},
		{"bad created_at", `{"cart": {"currency": "USD"}, "customer": {"created_at": "yesterday"}}`, []string{"customer.created_at"}},
		{"codes not strings", `{"cart": {"currency": "USD"}, "codes": ["A", 7]}`, []string{"codes[1]"}},
		{"explain not a boolean", `{"cart": {"currency": "USD"}, "explain": "yes"}`, []string{"explain"}},
		{"every problem at once",
			`{"cart": {"currency": "usd", "items": [{"id": "l1", "quantity": 0, "unit_price": -5}]}, "context": {"now": "soon"}}`,
			[]string{"cart.currency", "cart.items[0].quantity", "cart.items[0].unit_price", "context.now"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policies.DecodeRequest([]byte(tc.body), clock)
			var re *policies.RequestError
			if !errors.As(err, &re) {
				t.Fatalf("DecodeRequest = %v, want a *RequestError", err)
			}
			if !errors.Is(err, policies.ErrInvalidRequest) {
				t.Errorf("%v does not match ErrInvalidRequest", err)
			}
			var fields []string
			for _, p := range re.Problems {
				fields = append(fields, p.Field)
			}
			if !slices.Equal(fields, tc.fields) {
				t.Errorf("problems at %q, want %q (%v)", fields, tc.fields, err)
			}
			if re.Field() != tc.fields[0] {
				t.Errorf("Field() = %q, want %q", re.Field(), tc.fields[0])
			}
		})
	}
}

func TestDecodeRequestKeepsUnknownFieldsAndFillsNow(t *testing.T) {
	body := `{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 1, "unit_price": 5, "gift_wrap": true}]},
		"customer": {"id": "u-1", "timezone": "Europe/Dublin", "birthday": "1990-03-17", "favourite": "blue"},
		"channel_hint": "app", "codes": ["A"]}`
	req, err := policies.DecodeRequest([]byte(body), clock)
	if err != nil {
		t.Fatal(err)
	}
	if !req.Context.Now.Equal(clock) {
		t.Errorf("context.now = %v, want the clock %v", req.Context.Now, clock)
	}
	ctx, _ := req.Input["context"].(map[string]any)
	if ctx["now"] != "2026-11-24T12:00:00Z" {
		t.Errorf("input.context.now = %v", ctx["now"])
	}
	if req.Input["channel_hint"] != "app" {
		t.Errorf("unknown top-level field lost: %v", req.Input)
	}
	items := req.Input["cart"].(map[string]any)["items"].([]any)
	if items[0].(map[string]any)["gift_wrap"] != true {
		t.Errorf("unknown item field lost: %v", items[0])
	}
	if req.Customer.ID != "u-1" || req.Customer.Timezone.String() != "Europe/Dublin" {
		t.Errorf("customer = %+v", req.Customer)
	}
	if req.Cart.Items[0].Amount() != 5 || !slices.Equal(req.Codes, []string{"A"}) {
		t.Errorf("request = %+v", req)
	}
}

// fuzzRevision is a few campaigns without rules, so that the fuzzer can price
// what it decodes without OPA.
func fuzzRevision(f *testing.F) *policies.Revision {
	docs := []string{
		`{"priority": 3, "effects": [{"type": "percent_off", "percent": 12.5, "max_discount": 100000}]}`,
		`{"priority": 2, "code": "TEN", "effects": [{"type": "amount_off", "amount": 1000, "scope": "items"}]}`,
		`{"priority": 1, "effects": [{"type": "buy_x_get_y", "buy": {"quantity": 2}, "get": {"quantity": 1, "percent": 50}}]}`,
		`{"effects": [{"type": "fixed_price", "price": 100, "filter": {"min_unit_price": 200}}, {"type": "free_shipping", "max_discount": 300}]}`,
		`{"priority": -1, "code": "BIG", "effects": [{"type": "amount_off", "amount": 100000000}, {"type": "free_shipping"},
			{"type": "points", "per_amount": {"points": 3, "amount": 7}}]}`,
	}
	var campaigns []*policies.Campaign
	for i, d := range docs {
		c, err := policies.ParseCampaign(string(rune('a'+i)), decodeDoc(f, d))
		if err != nil {
			f.Fatal(err)
		}
		campaigns = append(campaigns, c)
	}
	rev, err := policies.NewRevision("fuzz", "test", campaigns, nil)
	if err != nil {
		f.Fatal(err)
	}
	return rev
}

func decodeDoc(tb testing.TB, s string) map[string]any {
	tb.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func FuzzDecodeRequest(f *testing.F) {
	for _, seed := range []string{
		`{"cart": {"id": "c-1", "currency": "USD", "items": [{"id": "l1", "sku": "SHOE-1", "categories": ["shoes"], "quantity": 2,
			"unit_price": 4999, "attributes": {"brand": "acme"}}], "shipping": {"method": "standard", "amount": 599}},
			"customer": {"id": "u-42", "tier": "vip", "timezone": "Europe/Dublin", "birthday": "1990-03-17"},
			"context": {"now": "2026-11-24T12:00:00Z"}, "codes": ["TEN", "big"]}`,
		`{"cart": {"currency": "EUR", "items": [{"id": "a", "quantity": 3, "unit_price": 1}, {"id": "b", "quantity": 1, "unit_price": 0}]}}`,
		`{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 1.5, "unit_price": 100}]}}`,
		`{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 16384, "unit_price": 1125899906842624}]}}`,
		`{"cart": {"currency": "USD", "shipping": {"amount": 9223372036854775807}, "items": [{"id": "l1", "quantity": 1, "unit_price": 1}]}}`,
		`{"cart": {"currency": "usd", "items": [1, null, {"id": ""}]}, "context": {"now": 5}}`,
		`{"cart": null, "customer": [], "codes": "X"}`,
		`[]`, `null`, `{`, `{"cart": {}} trailing`,
	} {
		f.Add([]byte(seed))
	}
	rev := fuzzRevision(f)
	eng := policies.NewEngine(policies.Config{Now: func() time.Time { return clock }})
	eng.Swap(rev)
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := policies.DecodeRequest(body, clock)
		if err != nil {
			var re *policies.RequestError
			if !errors.As(err, &re) || len(re.Problems) == 0 {
				t.Fatalf("error %v is not a *RequestError with problems", err)
			}
			return
		}
		checkAccepted(t, req)
		dec, err := eng.Evaluate(context.Background(), req)
		if err != nil {
			t.Fatalf("evaluating an accepted request: %v", err)
		}
		checkInvariants(t, dec)
	})
}

// checkAccepted asserts what DecodeRequest promises of a request it accepts.
func checkAccepted(t *testing.T, req *policies.Request) {
	t.Helper()
	if len(req.Cart.Currency) != 3 || strings.ToUpper(req.Cart.Currency) != req.Cart.Currency {
		t.Fatalf("accepted currency %q", req.Cart.Currency)
	}
	if req.Context.Now.IsZero() || req.Cart.Shipping.Amount < 0 || req.Cart.Shipping.Amount > 1<<50 {
		t.Fatalf("accepted context %+v, shipping %+v", req.Context, req.Cart.Shipping)
	}
	ids := map[string]bool{}
	for _, it := range req.Cart.Items {
		hi, lo := bits.Mul64(uint64(it.Quantity), uint64(it.UnitPrice))
		if it.Quantity < 1 || it.UnitPrice < 0 || hi != 0 || lo > 1<<50 || it.ID == "" || ids[it.ID] {
			t.Fatalf("accepted line %+v", it)
		}
		ids[it.ID] = true
	}
}

// TestDecodeRequestBoundsDepthOnEveryPath: a body nested past
// jsondoc.MaxDepth is refused whether the fast decoder takes it or, for an
// escaped string it does not decode, encoding/json does; one level less
// is accepted on both.
func TestDecodeRequestBoundsDepthOnEveryPath(t *testing.T) {
	nested := func(levels int) string {
		return strings.Repeat(`{"a":`, levels) + "1" + strings.Repeat("}", levels)
	}
	for _, id := range []string{`"c1"`, `"c\u0031"`} { // the second needs encoding/json
		body := func(levels int) []byte {
			return []byte(`{"cart": {"id": ` + id + `, "currency": "USD", "items": [], "attributes": ` + nested(levels) + `}}`)
		}
		if _, err := policies.DecodeRequest(body(998), clock); err != nil {
			t.Errorf("id %s, 1000 levels: %v", id, err)
		}
		for _, levels := range []int{999, 9990} {
			_, err := policies.DecodeRequest(body(levels), clock)
			if re := (*policies.RequestError)(nil); !errors.As(err, &re) || !strings.Contains(err.Error(), "deeper than 1000") {
				t.Errorf("id %s, %d levels: %v, want refused for its depth", id, levels+2, err)
			}
		}
	}
}
