package sidecar_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// reservations drives the reservation operations against s (the example
// bundle): reserve, replay, read, commit, release, and bad input.
func (cf *conformance) reservations(t *testing.T, s *sidecartest.Sidecar) {
	reserve := func(body []byte, status int) []byte {
		return cf.do(t, s, call{method: "POST", path: "/v1/reservations", body: body, status: status})
	}
	body := bytes.Replace(redeemCart("", "rk-1", "u-7"), []byte(`"order_id":""`), []byte(`"ttl_seconds":600`), 1)
	out := reserve(body, 200)
	if again := reserve(body, 200); !bytes.Equal(out, again) {
		t.Errorf("reservation replay answered differently:\n%s\n%s", out, again)
	}
	var rs struct {
		ID string `json:"reservation_id"`
	}
	if err := json.Unmarshal(out, &rs); err != nil || rs.ID == "" {
		t.Fatalf("reserve: %v %s", err, out)
	}
	cf.do(t, s, call{method: "POST", path: "/v1/reservations", body: bytes.Replace(body, []byte(`"ttl_seconds":600`), []byte(`"ttl_seconds":0`), 1), status: 400, refused: true})
	cf.do(t, s, call{method: "POST", path: "/v1/reservations", body: []byte(`{"cart":{"currency":"USD","items":[]}}`), status: 400, refused: true})
	cf.do(t, s, call{method: "GET", path: "/v1/reservations/" + rs.ID, status: 200})
	cf.do(t, s, call{method: "GET", path: "/v1/reservations/rs_nope", status: 404})
	commit := func(customer string) []byte {
		b := redeemCart("o-r1", "ck-"+customer, customer)
		return bytes.Replace(b, []byte(`{`), []byte(`{"reservation_id":"`+rs.ID+`",`), 1)
	}
	cf.do(t, s, call{method: "POST", path: "/v1/redemptions", body: commit("u-8"), status: 409})
	cf.do(t, s, call{method: "POST", path: "/v1/redemptions", body: commit("u-7"), status: 200})
	cf.do(t, s, call{method: "GET", path: "/v1/reservations/" + rs.ID, status: 200})
	// Another, released twice, then refused at commit.
	out = reserve(bytes.Replace(body, []byte(`rk-1`), []byte(`rk-2`), 1), 200)
	_ = json.Unmarshal(out, &rs)
	cf.do(t, s, call{method: "DELETE", path: "/v1/reservations/" + rs.ID, status: 200})
	cf.do(t, s, call{method: "DELETE", path: "/v1/reservations/" + rs.ID, status: 200})
	cf.do(t, s, call{method: "DELETE", path: "/v1/reservations/rs_nope", status: 404})
	cf.do(t, s, call{method: "POST", path: "/v1/redemptions", body: commit("u-7"), status: 409})
	cf.do(t, s, call{method: "POST", path: "/v1/redemptions", body: bytes.Replace(commit("u-7"), []byte(rs.ID), []byte("rs_nope"), 1), status: 404})
}
