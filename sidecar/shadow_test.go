package sidecar_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/activation"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// shadowCampaign is what the candidate bundle adds to the example: $5 off
// every USD cart, at most one redemption.
const shadowCampaign = `{"name": "Shadow five off", "priority": 1, "currency": "USD",
  "limits": {"redemptions": 1}, "effects": [{"type": "amount_off", "amount": 500}]}`

// shadowCart is a USD cart of customer u-N.
const shadowCart = `{"cart": {"currency": "USD", "items": [
    {"id": "l1", "sku": "SHOE-1", "categories": ["shoes"], "quantity": 1, "unit_price": 8999}],
  "shipping": {"method": "standard", "amount": 599}}, "customer": {"id": "u-%d"}%s}`

func shadowReport(t *testing.T, s *sidecartest.Sidecar) (int, activation.ShadowReport) {
	t.Helper()
	status, out := s.DoAs(t, adminToken, "GET", "/v1/bundles/shadow", nil)
	var rep activation.ShadowReport
	if status == 200 {
		if err := json.Unmarshal(out, &rep); err != nil {
			t.Fatalf("shadow report: %v %s", err, out)
		}
	}
	return status, rep
}

// TestShadowBundle loads a candidate as a shadow over a real store and
// activator: a bad one is refused and changes nothing; a good one never
// changes an answer or a limit, reports every difference with hashed
// customers, and is promoted through the activator (or dropped).
func TestShadowBundle(t *testing.T) {
	stack := sidecartest.ExampleStack(t, "live-1", nil)
	s := sidecartest.StartDeps(t, stack.Deps, adminToken)
	candidate := sidecartest.ExampleTarballWith(t, "shadow-1", map[string]string{"promo/campaigns/shadow-5/data.json": shadowCampaign})

	// No shadow: clear errors, nothing changes.
	if status, out := s.DoAs(t, adminToken, "POST", "/v1/bundles/shadow/promote", nil); status != 409 || !strings.Contains(string(out), "no_shadow") {
		t.Fatalf("promote with no shadow: %d %s", status, out)
	}
	for _, m := range []string{"GET", "DELETE"} {
		if status, _ := s.DoAs(t, adminToken, m, "/v1/bundles/shadow", nil); status != 404 {
			t.Fatalf("%s with no shadow: %d", m, status)
		}
	}
	_, before := s.Do(t, "GET", "/v1/bundles", nil)
	for _, bad := range [][]byte{[]byte("not a bundle"), sidecartest.ExampleTarballWith(t, "bad", map[string]string{"promo/campaigns/broken/data.json": `{"effects": [{"type": "nope"}]}`})} {
		if status, out := s.DoAs(t, adminToken, "PUT", "/v1/bundles?shadow=true", bad); status != 400 || !strings.Contains(string(out), "bundle_refused") {
			t.Fatalf("bad shadow: %d %s", status, out)
		}
	}
	if status, _ := s.DoAs(t, adminToken, "PUT", "/v1/bundles?shadow=maybe", candidate); status != 400 {
		t.Fatalf("shadow=maybe: %d", status)
	}
	if status, _ := shadowReport(t, s); status != 404 {
		t.Fatalf("a refused shadow is loaded: %d", status)
	}
	if _, after := s.Do(t, "GET", "/v1/bundles", nil); string(after) != string(before) {
		t.Fatalf("a refused shadow changed the bundle status:\n%s\n%s", before, after)
	}
	if status, _ := s.Do(t, "PUT", "/v1/bundles?shadow=true", candidate); status != 401 {
		t.Fatalf("shadow without a token: %d", status)
	}

	// What each cart costs live, and on the candidate (a second sidecar
	// with it active): the report must find exactly these differences.
	const n = 6
	other := sidecartest.ExampleStack(t, "shadow-1", map[string]string{"promo/campaigns/shadow-5/data.json": shadowCampaign})
	ref := sidecartest.StartDeps(t, other.Deps, adminToken)
	var live []string
	var wantDelta int64
	for i := range n {
		body := fmt.Sprintf(shadowCart, i, "")
		d := s.Evaluate(t, body)
		out, _ := json.Marshal(d)
		live = append(live, string(out))
		c := ref.Evaluate(t, body)
		wantDelta += c.Discount + c.ShippingDiscount - d.Discount - d.ShippingDiscount
	}
	if wantDelta == 0 {
		t.Fatal("the candidate prices the carts as the live bundle does: nothing to compare")
	}

	if status, out := s.DoAs(t, adminToken, "PUT", "/v1/bundles?shadow=true", candidate); status != 200 || !strings.Contains(string(out), `"revision":"shadow-1"`) {
		t.Fatalf("load shadow: %d %s", status, out)
	}
	if st := stack.Bundles.Status(); st.Shadow == nil || st.Shadow.Revision != "shadow-1" || st.Active.Revision != "live-1" {
		t.Errorf("GET /v1/bundles with a shadow: %+v", st)
	}
	for i := range n {
		out, _ := json.Marshal(s.Evaluate(t, fmt.Sprintf(shadowCart, i, "")))
		if string(out) != live[i] {
			t.Fatalf("cart %d priced differently with a shadow:\n%s\n%s", i, live[i], out)
		}
	}
	// A redemption is not shadowed, and the shadow's limit is untouched.
	if status, out := s.Do(t, "POST", "/v1/redemptions", []byte(fmt.Sprintf(shadowCart, 0, `, "order_id": "o-1", "idempotency_key": "k-1"`))); status != 200 {
		t.Fatalf("redeem: %d %s", status, out)
	}
	rep := waitCompared(t, s, n)
	if rep.Differ != n || rep.DiscountDelta != wantDelta || rep.Dropped != 0 || rep.Errors != 0 {
		t.Errorf("report: compared %d differ %d delta %d (want %d) dropped %d errors %d", rep.Compared, rep.Differ, rep.DiscountDelta, wantDelta, rep.Dropped, rep.Errors)
	}
	var found bool
	for _, c := range rep.Campaigns {
		if c.Campaign == "shadow-5" {
			found = c.AppliedLive == 0 && c.AppliedShadow == n
		}
	}
	if !found {
		t.Errorf("shadow-5 not counted %d times on the shadow only: %+v", n, rep.Campaigns)
	}
	hash := regexp.MustCompile(`^[0-9a-f]{16}$`)
	if len(rep.Samples) == 0 {
		t.Fatal("no samples of differing answers")
	}
	for _, smp := range rep.Samples {
		if !hash.MatchString(smp.Customer) || smp.Live.Revision != "live-1" || smp.Shadow.Revision != "shadow-1" {
			t.Errorf("sample %+v: want a hashed customer, live-1 against shadow-1", smp)
		}
	}
	if _, out := s.DoAs(t, adminToken, "GET", "/v1/bundles/shadow", nil); strings.Contains(string(out), `"u-1"`) {
		t.Errorf("the report names a customer in clear: %s", out)
	}

	// Promote: active through the activator, the shadow gone, the limit of
	// shadow-5 unused by all those comparisons.
	status, out := s.DoAs(t, adminToken, "POST", "/v1/bundles/shadow/promote", nil)
	if status != 200 || !strings.Contains(string(out), `"revision":"shadow-1"`) {
		t.Fatalf("promote: %d %s", status, out)
	}
	if st := stack.Bundles.Status(); st.Active.Revision != "shadow-1" || !strings.HasPrefix(st.Active.Source, "shadow: ") || len(st.History) != 2 {
		t.Errorf("after promote the activator shows %+v", st)
	}
	if status, _ := shadowReport(t, s); status != 404 {
		t.Errorf("a promoted shadow still reports: %d", status)
	}
	if d := s.Evaluate(t, fmt.Sprintf(shadowCart, 9, "")); d.BundleRevision != "shadow-1" || rejection(d, "shadow-5") != "" {
		t.Errorf("after promote: %s, shadow-5 rejected %q", d.BundleRevision, rejection(d, "shadow-5"))
	}
	if c := campaignUsage(t, s, "shadow-5"); c != 0 {
		t.Errorf("shadow-5 used %d of its limit: comparisons must never count", c)
	}

	// Drop: load again, delete, gone.
	if status, _ := s.DoAs(t, adminToken, "PUT", "/v1/bundles?shadow=true", sidecartest.ExampleTarball(t, "shadow-2")); status != 200 {
		t.Fatalf("second shadow: %d", status)
	}
	if status, _ := s.DoAs(t, adminToken, "DELETE", "/v1/bundles/shadow", nil); status != 200 {
		t.Fatalf("drop: %d", status)
	}
	if status, _ := shadowReport(t, s); status != 404 {
		t.Errorf("a dropped shadow still reports: %d", status)
	}
	if st := stack.Bundles.Status(); st.Shadow != nil {
		t.Errorf("GET /v1/bundles names a dropped shadow: %+v", st.Shadow)
	}
	if rev := stack.Bundles.Status().Active.Revision; rev != "shadow-1" {
		t.Errorf("dropping a shadow changed the active bundle to %s", rev)
	}

	// Each change is in the audit log.
	_, audit := s.DoAs(t, adminToken, "GET", "/v1/audit", nil)
	for _, a := range []string{`"bundle.shadow","target":"shadow-1"`, `"bundle.shadow_promote","target":"shadow-1"`, `"bundle.shadow_drop"`} {
		if !strings.Contains(string(audit), `"action":`+a) {
			t.Errorf("audit log lacks %s: %s", a, audit)
		}
	}
}

// waitCompared polls the report until the shadow compared n answers.
func waitCompared(t *testing.T, s *sidecartest.Sidecar, n int64) activation.ShadowReport {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		status, rep := shadowReport(t, s)
		if status != 200 {
			t.Fatalf("shadow report: %d", status)
		}
		if rep.Compared+rep.Dropped >= n || time.Now().After(deadline) {
			return rep
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func campaignUsage(t *testing.T, s *sidecartest.Sidecar, id string) int64 {
	t.Helper()
	status, out := s.Do(t, http.MethodGet, "/v1/campaigns/"+id, nil)
	var v struct {
		Usage struct {
			Redemptions int64 `json:"redemptions"`
		} `json:"usage"`
	}
	if err := json.Unmarshal(out, &v); status != 200 || err != nil {
		t.Fatalf("GET /v1/campaigns/%s: %d %v %s", id, status, err, out)
	}
	return v.Usage.Redemptions
}

func rejection(d *policies.Decision, id string) policies.Reason {
	for _, r := range d.Rejected {
		if r.Campaign == id {
			return r.Reason
		}
	}
	return ""
}
