package sidecar_test

import (
	"encoding/json"
	"testing"

	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// events drives the event and trigger operations against s, which serves
// the example bundle and its triggers: a sign-up firing the welcome
// trigger at once, an abandoned cart scheduling one and an order
// cancelling it, the event read back, and bad input.
func (cf *conformance) events(t *testing.T, s *sidecartest.Sidecar) {
	post := func(body string, status int) []byte {
		return cf.do(t, s, call{method: "POST", path: "/v1/events", body: []byte(body), status: status})
	}
	out := post(`{"id":"ev-signup","type":"signed_up","customer_id":"u-20"}`, 200)
	var r struct{ Triggers []struct{ State string } }
	if err := json.Unmarshal(out, &r); err != nil || len(r.Triggers) != 1 || r.Triggers[0].State != "fired" {
		t.Errorf("sign-up: %v %s", err, out)
	}
	post(`{"id":"ev-cart","type":"cart_abandoned","customer_id":"u-20","cart_id":"c-9","attributes":{"value":4200}}`, 200)
	post(`{"id":"ev-order","type":"order_placed","customer_id":"u-20","cart_id":"c-9"}`, 200)
	for _, bad := range []string{`{"id":"ev-x","type":"cart_abandoned","customer_id":"u-20","attributes":[1]}`, `{"id":"ev-x","type":"Cart Abandoned","customer_id":"u-20"}`} {
		cf.do(t, s, call{method: "POST", path: "/v1/events", body: []byte(bad), status: 400, refused: true})
	}
	cf.do(t, s, call{method: "GET", path: "/v1/events/ev-cart", token: adminToken, status: 200})
	cf.do(t, s, call{method: "GET", path: "/v1/events/nope", token: adminToken, status: 404})
	cf.do(t, s, call{method: "GET", path: "/v1/events/ev-cart", status: 401, refused: true})
}
