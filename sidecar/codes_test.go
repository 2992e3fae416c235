package sidecar_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies"
)

func TestUniqueCodes(t *testing.T) {
	e := newRedeemEnv(t, map[string]string{
		"vouchers": `{"unique_codes":true,"effects":[{"type":"amount_off","amount":500}]}`,
		"auto":     `{"effects":[{"type":"points","points":1}]}`,
	})
	gen := func(token, body string) (int, []byte) {
		req, _ := http.NewRequest("POST", "http://sidecar/v1/campaigns/vouchers/codes", strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := e.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		return resp.StatusCode, buf.Bytes()
	}
	if status, _ := gen("", `{"count":10,"pattern":"V-####"}`); status != 401 {
		t.Fatalf("no token: %d", status)
	}
	if status, _ := gen("wrong", `{"count":10,"pattern":"V-####"}`); status != 401 {
		t.Fatalf("wrong token: %d", status)
	}
	for _, bad := range []string{`{"count":10,"pattern":"V-##"}` /* 100 codes: 10 fit, but not 60 */, `{"count":10,"pattern":"V-ßß##"}`, `{"count":0,"pattern":"V-####"}`, `{"count":10,"pattern":"FIXED"}`, `not json`} {
		if bad == `{"count":10,"pattern":"V-##"}` {
			bad = `{"count":60,"pattern":"V-##"}`
		}
		if status, out := gen(adminToken, bad); status != 400 {
			t.Fatalf("%s: %d %s", bad, status, out)
		}
	}
	status, out := gen(adminToken, `{"count":100,"pattern":"SPR-####-??","prefix":"X"}`)
	var res struct {
		Campaign string
		Count    int
		Codes    []string
	}
	if err := json.Unmarshal(out, &res); err != nil || status != 200 || res.Count != 100 || len(res.Codes) != 100 || res.Campaign != "vouchers" {
		t.Fatalf("generate: %d %v %s", status, err, out)
	}
	seen := map[string]bool{}
	for _, c := range res.Codes {
		if seen[c] || !strings.HasPrefix(c, "XSPR-") || len(c) != len("XSPR-1234-AB") {
			t.Fatalf("bad code %q", c)
		}
		seen[c] = true
	}
	code := res.Codes[0]
	// Evaluate takes the code in any case; a redeem uses it once.
	d := e.Evaluate(t, redeemBody("o", "k", "u1", 1000, strings.ToLower(code)))
	if a, _ := json.Marshal(d.Applied); !strings.Contains(string(a), `"vouchers"`) {
		t.Fatalf("evaluate with code: %s", a)
	}
	_, r, _ := e.redeem(t, redeemBody("o1", "k1", "u1", 1000, code))
	if !appliedTo(r, "vouchers") {
		t.Fatalf("redeem with code: %+v", r)
	}
	_, r2, _ := e.redeem(t, redeemBody("o2", "k2", "u2", 1000, code))
	if reasonFor(r2, "vouchers") != policies.CodeUsed || !appliedTo(r2, "auto") && len(r2.Points) == 0 {
		t.Fatalf("second use: %+v", r2)
	}
	status, out = e.DoAs(t, adminToken, "GET", "/v1/codes/"+code, nil)
	var c policies.Code
	json.Unmarshal(out, &c)
	if status != 200 || c.State != policies.CodeStateUsed || c.Uses != 1 || c.Owner != "u1" || c.Campaign != "vouchers" {
		t.Fatalf("code after use: %d %s", status, out)
	}
	e.Do(t, "POST", "/v1/redemptions/"+r.RedemptionID+"/rollback", nil)
	_, out = e.DoAs(t, adminToken, "GET", "/v1/codes/"+code, nil)
	json.Unmarshal(out, &c)
	if c.State != policies.CodeStateActive || c.Uses != 0 {
		t.Fatalf("code after rollback: %s", out)
	}
	if status, _ := e.DoAs(t, adminToken, "GET", "/v1/codes/NOPE-1", nil); status != 404 {
		t.Fatalf("unknown code: %d", status)
	}
}
