package sidecar_test

import (
	"encoding/json"
	"testing"

	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// wallets drives the wallet and event operations against s, which serves
// the example bundle and its loyalty program: earn, read, adjust, claim,
// and bad input.
func (cf *conformance) wallets(t *testing.T, s *sidecartest.Sidecar) {
	get := func(path string, status int) []byte {
		return cf.do(t, s, call{method: "GET", path: path, status: status})
	}
	admin := func(method, path string, body []byte, status int) []byte {
		return cf.do(t, s, call{method: method, path: path, body: body, token: adminToken, status: status})
	}
	cf.do(t, s, call{method: "POST", path: "/v1/events", body: []byte(`{"id":"ev-1","type":"review_written","customer_id":"u-9"}`), status: 200})
	cf.do(t, s, call{method: "POST", path: "/v1/events", body: []byte(`{"id":"ev-2","type":"review_written"}`), status: 400, refused: true})
	cf.do(t, s, call{method: "POST", path: "/v1/events", body: []byte(`{"id":"ev-1","type":"social_share","customer_id":"u-9"}`), status: 409})
	admin("POST", "/v1/wallets/u-9/adjust", []byte(`{"points":300,"reason":"welcome","idempotency_key":"adj-1"}`), 200)
	admin("POST", "/v1/wallets/u-9/adjust", []byte(`{"points":-5000,"reason":"oops","idempotency_key":"adj-2"}`), 409)
	admin("POST", "/v1/wallets/u-9/adjust", []byte(`{"points":0,"reason":"none","idempotency_key":"adj-3"}`), 400)
	cf.do(t, s, call{method: "POST", path: "/v1/wallets/u-9/adjust", body: []byte(`{"points":1,"reason":"x","idempotency_key":"adj-4"}`), status: 401, refused: true})
	get("/v1/wallets/u-9", 200)
	get("/v1/wallets/u-9?at=2030-01-01T00:00:00Z", 200)
	cf.do(t, s, call{method: "GET", path: "/v1/wallets/u-9?at=soon", status: 400, refused: true})
	for _, f := range []string{"json", "ndjson", "csv"} {
		get("/v1/wallets/u-9/transactions?format="+f, 200)
	}
	cf.do(t, s, call{method: "GET", path: "/v1/wallets/u-9/transactions?format=xml", status: 400, refused: true})
	claim := func(body string, status int) {
		cf.do(t, s, call{method: "POST", path: "/v1/wallets/u-9/rewards", body: []byte(body), status: status})
	}
	claim(`{"reward":"tree","idempotency_key":"c-1"}`, 200)
	claim(`{"reward":"five-off","idempotency_key":"c-2"}`, 400)
	claim(`{"reward":"nope","idempotency_key":"c-3"}`, 404)
	cf.do(t, s, call{method: "POST", path: "/v1/wallets/u-0/rewards", body: []byte(`{"reward":"tree","idempotency_key":"c-4"}`), status: 409})
	cf.giftCards(t, s)
}

// giftCards drives the gift card operations: generation with an amount,
// the balance change, the lookup, and a card at checkout.
func (cf *conformance) giftCards(t *testing.T, s *sidecartest.Sidecar) {
	admin := func(method, path string, body []byte, status int) []byte {
		return cf.do(t, s, call{method: method, path: path, body: body, token: adminToken, status: status})
	}
	out := admin("POST", "/v1/campaigns/gift-vip/codes", []byte(`{"count":1,"pattern":"GV-####-####","amount":2500,"currency":"USD"}`), 200)
	var gen struct{ Codes []string }
	if err := json.Unmarshal(out, &gen); err != nil || len(gen.Codes) != 1 {
		t.Fatalf("generated %s: %v", out, err)
	}
	code := gen.Codes[0]
	cf.do(t, s, call{method: "POST", path: "/v1/campaigns/gift-vip/codes", body: []byte(`{"count":1,"pattern":"GV-####-####","amount":-1}`), token: adminToken, status: 400, refused: true})
	admin("POST", "/v1/codes/"+code+"/balance", []byte(`{"amount":500,"idempotency_key":"gb-1"}`), 200)
	admin("POST", "/v1/codes/"+code+"/balance", []byte(`{"amount":-9000,"idempotency_key":"gb-2"}`), 409)
	admin("POST", "/v1/codes/"+code+"/balance", []byte(`{"amount":0,"idempotency_key":"gb-3"}`), 400)
	admin("POST", "/v1/codes/NO-SUCH-CARD/balance", []byte(`{"amount":5,"idempotency_key":"gb-4"}`), 404)
	cf.do(t, s, call{method: "POST", path: "/v1/codes/" + code + "/balance", body: []byte(`{"amount":5,"idempotency_key":"gb-5"}`), status: 401, refused: true})
	admin("GET", "/v1/codes/"+code, nil, 200)
	admin("POST", "/v1/wallets/u-g/adjust", []byte(`{"points":6000,"reason":"vip","idempotency_key":"adj-g"}`), 200)
	cf.do(t, s, call{method: "POST", path: "/v1/evaluate", body: []byte(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"PEN","quantity":1,"unit_price":1000}]},
		"customer":{"id":"u-g"},"context":{"now":"2030-01-01T00:00:00Z"},"codes":["` + code + `"]}`), status: 200})
	cf.do(t, s, call{method: "POST", path: "/v1/wallets/u-g/rewards", body: []byte(`{"reward":"gift-30","idempotency_key":"c-g"}`), status: 200})
	cf.referrals(t, s)
}

// referrals drives the referral operations.
func (cf *conformance) referrals(t *testing.T, s *sidecartest.Sidecar) {
	out := cf.do(t, s, call{method: "POST", path: "/v1/referrals", body: []byte(`{"campaign":"refer-a-friend","customer_id":"u-r","customer":{"id":"u-r","email":"R+x@example.com"}}`), status: 200})
	var ref struct{ Code string }
	if err := json.Unmarshal(out, &ref); err != nil || ref.Code == "" {
		t.Fatalf("referral %s: %v", out, err)
	}
	cf.do(t, s, call{method: "POST", path: "/v1/referrals", body: []byte(`{"campaign":"nope","customer_id":"u-r"}`), status: 404})
	cf.do(t, s, call{method: "POST", path: "/v1/referrals", body: []byte(`{"campaign":"gift-vip","customer_id":"u-r"}`), status: 400})
	cf.do(t, s, call{method: "POST", path: "/v1/redemptions", body: []byte(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"PEN","quantity":1,"unit_price":5000}]},
		"customer":{"id":"u-friend"},"codes":["` + ref.Code + `"],"order_id":"o-ref","idempotency_key":"k-ref"}`), status: 200})
	cf.do(t, s, call{method: "GET", path: "/v1/referrals/" + ref.Code, status: 200})
	cf.do(t, s, call{method: "GET", path: "/v1/referrals/REF-NONE", status: 404})
}
