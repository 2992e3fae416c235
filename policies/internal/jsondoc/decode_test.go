package jsondoc

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// reference decodes as policies.DecodeRequest did before this package.
func reference(body []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, false
	}
	if _, err := dec.Token(); err == nil {
		return nil, false // more after the object
	}
	return doc, true
}

var seeds = []string{
	`{}`, ` {"a": 1} `, `{"a": [1, -2.5e+3, 0, 0.1, 1E9, true, false, null, "x", {}, []]}`,
	`{"cart": {"items": [{"id": "l1", "quantity": 2, "unit_price": 4999, "categories": ["shoes"]}]}}`,
	`{"a": 1, "a": {"b": 2}}`, `{"é": "ünï"}`, `{"a": "\u00e9"}`, `{"a": "tab\there"}`, "{\"a\": \"\xff\"}",
	`{"a": 01}`, `{"a": 1.}`, `{"a": -}`, `{"a": .5}`, `{"a": 1e}`, `{"a" 1}`, `{"a": 1,}`, `{,}`, `[1]`, `null`,
	`{"a": 1} x`, `{"a": 1}}`, `{"a": tru}`, `{"a": nulll}`, `{"a": [1 2]}`, `{"a": "x`, "{\"a\": \"\x01\"}",
	`{"a": 123456789012345678901234567890}`, `{"a": -0}`, `{"a":[[[[[]]]]]}`, "{\"a\"\n:\r\t1}",
}

func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range seeds {
		check(t, []byte(s))
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(check)
}

// check: whatever Decode accepts, encoding/json accepts with the same value.
func check(t *testing.T, body []byte) {
	got, ok := Decode(body)
	if !ok {
		return
	}
	want, wok := reference(body)
	if !wok {
		t.Fatalf("%q: Decode accepts what encoding/json refuses", body)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: Decode gives %#v, encoding/json %#v", body, got, want)
	}
}

func TestDecodeTakesTheUsualBodies(t *testing.T) {
	for _, s := range seeds[:6] {
		if _, ok := Decode([]byte(s)); !ok {
			t.Errorf("%s: not decoded", s)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	body := []byte(`{"cart": {"id": "perf", "currency": "USD", "items": [` +
		`{"id": "l0", "sku": "SKU0", "categories": ["cat0", "cat0"], "quantity": 1, "unit_price": 500},` +
		`{"id": "l1", "sku": "SKU1", "categories": ["cat1", "cat7"], "quantity": 2, "unit_price": 637},` +
		`{"id": "l2", "sku": "SKU2", "categories": ["cat2", "cat14"], "quantity": 3, "unit_price": 774}],` +
		`"shipping": {"method": "standard", "amount": 599}}, "customer": {"id": "u1", "tier": "vip", "segments": ["a"]},` +
		`"context": {"now": "2026-11-24T12:00:00Z", "channel": "web"}}`)
	b.Run("jsondoc", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Decode(body)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			reference(body)
		}
	})
}
