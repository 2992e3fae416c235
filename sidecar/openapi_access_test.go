package sidecar_test

import (
	"bytes"
	"testing"

	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// access drives, for TestOpenAPIConformance, what the tokens open: the
// audit log of the admin actions before it, the admin-only lookups, and a
// sidecar with an API token.
func (cf *conformance) access(t *testing.T, s *sidecartest.Sidecar, stack *sidecartest.Stack) {
	t.Helper()
	out := cf.do(t, s, call{method: "GET", path: "/v1/audit", token: adminToken, status: 200})
	for _, want := range []string{`"action":"bundle.activate","target":"openapi-2"`, `"action":"bundle.activate","source"` /* the refused one */, `"action":"campaign.disable","target":"vouchers"`, `"action":"codes.generate"`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("the audit log misses %s: %s", want, out)
		}
	}
	cf.do(t, s, call{method: "GET", path: "/v1/audit?limit=2&since=2020-01-01T00:00:00Z", token: adminToken, status: 200})
	cf.do(t, s, call{method: "GET", path: "/v1/audit?limit=0", token: adminToken, status: 400, refused: true})
	for _, path := range []string{"/v1/audit", "/v1/redemptions", "/v1/codes/NOPE-0000"} {
		cf.do(t, s, call{method: "GET", path: path, status: 401, refused: true})
	}

	cfg := sidecar.DefaultConfig()
	cfg.AdminToken, cfg.APIToken = adminToken, "api-token"
	guarded := sidecartest.StartConfig(t, cfg, stack.Deps)
	cart := []byte(`{"cart":{"currency":"USD","items":[]}}`)
	cf.do(t, guarded, call{method: "POST", path: "/v1/evaluate", body: cart, status: 401})
	cf.do(t, guarded, call{method: "POST", path: "/v1/evaluate", body: cart, token: "api-token", status: 200})
	cf.do(t, guarded, call{method: "GET", path: "/v1/openapi.yaml", status: 401})
	cf.do(t, guarded, call{method: "GET", path: "/v1/redemptions", token: "api-token", status: 401})
	cf.do(t, guarded, call{method: "GET", path: "/ready", status: 200})

	closed := sidecartest.StartDeps(t, stack.Deps, "")
	cf.do(t, closed, call{method: "GET", path: "/v1/audit", token: adminToken, status: 403})
}
