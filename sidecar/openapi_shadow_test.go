package sidecar_test

import (
	"fmt"
	"testing"

	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// shadow drives the shadow bundle operations against s, whose active
// bundle is active: load (bad, good), report with a differing sample,
// drop, the errors with no shadow, and a promotion of active itself so
// that what follows is priced as before.
func (cf *conformance) shadow(t *testing.T, s *sidecartest.Sidecar, active []byte) {
	put := func(query string, body []byte, status int, refused bool) {
		cf.do(t, s, call{method: "PUT", path: "/v1/bundles" + query, body: body, contentType: "application/gzip", token: adminToken, status: status, refused: refused})
	}
	admin := func(method, path string, status int) {
		cf.do(t, s, call{method: method, path: path, token: adminToken, status: status})
	}
	candidate := sidecartest.ExampleTarballWith(t, "openapi-shadow", map[string]string{"promo/campaigns/shadow-5/data.json": shadowCampaign})
	put("?shadow=true", []byte("not a bundle"), 400, false)
	put("?shadow=maybe", candidate, 400, true)
	put("?shadow=true", candidate, 200, false)
	s.Evaluate(t, fmt.Sprintf(shadowCart, 1, ""))
	if rep := waitCompared(t, s, 1); len(rep.Samples) == 0 {
		t.Errorf("no sample to check against the spec: %+v", rep)
	}
	admin("GET", "/v1/bundles/shadow", 200)
	cf.do(t, s, call{method: "GET", path: "/v1/bundles", status: 200}) // names the shadow
	cf.do(t, s, call{method: "GET", path: "/v1/bundles/shadow", status: 401, refused: true})
	admin("DELETE", "/v1/bundles/shadow", 200)
	admin("DELETE", "/v1/bundles/shadow", 404)
	admin("GET", "/v1/bundles/shadow", 404)
	admin("POST", "/v1/bundles/shadow/promote", 409)
	put("?shadow=true", active, 200, false)
	admin("POST", "/v1/bundles/shadow/promote", 200)
}
