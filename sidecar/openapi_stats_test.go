package sidecar_test

import (
	"testing"

	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// abCampaign is an experiment behind a code, so the example bundle's own
// tests price as before.
const abCampaign = `{"name":"A/B","code":"ABTEST","variants":[
 {"name":"ten","weight":50,"effects":[{"type":"percent_off","percent":10}]},
 {"name":"control","weight":50,"holdout":true}]}`

// stats drives the statistics and experiment endpoints against s, which
// serves the example bundle with abCampaign as "ab-test".
func (cf *conformance) stats(t *testing.T, s *sidecartest.Sidecar) {
	admin := func(path string, status int) []byte {
		return cf.do(t, s, call{method: "GET", path: path, token: adminToken, status: status})
	}
	for i := range 4 {
		body := []byte(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"customer":{"id":"ab-` + string(rune('a'+i)) + `"},"codes":["ABTEST"]}`)
		cf.do(t, s, call{method: "POST", path: "/v1/evaluate", body: body, status: 200})
	}
	admin("/v1/stats/campaigns", 200)
	admin("/v1/stats/campaigns?days=7", 200)
	cf.do(t, s, call{method: "GET", path: "/v1/stats/campaigns?days=0", token: adminToken, status: 400, refused: true})
	admin("/v1/stats/campaigns/vouchers?days=1", 200)
	admin("/v1/stats/campaigns/nope", 404)
	cf.do(t, s, call{method: "GET", path: "/v1/stats/campaigns", status: 401, refused: true})
	admin("/v1/experiments/ab-test", 200)
	admin("/v1/experiments/vouchers", 404)
	admin("/v1/experiments/nope", 404)
	cf.do(t, s, call{method: "GET", path: "/v1/experiments/ab-test", status: 401, refused: true})
}
