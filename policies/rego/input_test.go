package rego

import (
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/promoedge/promoedge/policies"
)

func FuzzToValue(f *testing.F) {
	f.Add(`{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 2, "unit_price": 999, "categories": ["a", "b"], "attributes": {"x": [1.5, true, null, "s"]}}]}, "codes": ["A"], "context": {"now": "2026-01-01T00:00:00Z"}}`)
	f.Add(`{"cart": {"currency": "USD", "items": []}, "big": 1e999}`)
	f.Add(`{"cart": {"currency": "USD", "items": []}, "x": {"\u00e9": "\u2028", "n": -0.0e-5}}`)
	f.Fuzz(func(t *testing.T, body string) {
		req, err := policies.DecodeRequest([]byte(body), time.Unix(0, 0))
		if err != nil {
			return
		}
		want, werr := ast.InterfaceToValue(req.Input)
		got, gerr := toValue(req.Input)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("errors differ: InterfaceToValue %v, toValue %v", werr, gerr)
		}
		if werr == nil && got.Compare(want) != 0 {
			t.Fatalf("toValue %v\nInterfaceToValue %v", got, want)
		}
	})
}
