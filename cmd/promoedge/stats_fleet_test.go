package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"syscall"
	"testing"
	"time"
)

// TestFleetStatsAndExperiment runs three real sidecars on the bundle of
// testdata/experiment (an experiment, ab, and first-50 with a limit of 50
// redemptions): each customer is priced on two nodes and gets the same
// variant on both; every node then shows the fleet's sums (the day's
// counts added, the customers' sketches merged: each customer counted
// once though two nodes saw them), a rollback counted apart; a node
// stopped and started again shows the same.
func TestFleetStatsAndExperiment(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := binary(t)
	procs := startProcs(t, bin, 3, "--bundle", "testdata/experiment")
	c := &http.Client{Timeout: 5 * time.Second}
	post := func(p *clusterProc, path, body string) map[string]any {
		t.Helper()
		resp, err := c.Post("http://"+p.listen+path, "application/json", bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("POST %s on %s: %d %v %v", path, p.name, resp.StatusCode, err, out)
		}
		return out
	}
	variantOf := func(dec map[string]any) string {
		for _, a := range dec["applied"].([]any) {
			if a := a.(map[string]any); a["campaign"] == "ab" {
				return a["variant"].(string)
			}
		}
		for _, r := range dec["rejected"].([]any) {
			if r := r.(map[string]any); r["campaign"] == "ab" && r["reason"] == "holdout" {
				return r["variant"].(string)
			}
		}
		t.Fatalf("ab neither applied nor held out: %v", dec)
		return ""
	}
	const customers = 300
	perVariant := map[string]int64{}
	cart := func(i int, extra string) string {
		return fmt.Sprintf(`{%s"customer":{"id":"c-%d"},"cart":{"currency":"USD","items":[{"id":"l1","quantity":1,"unit_price":1000}]}}`, extra, i)
	}
	for i := range customers {
		a := variantOf(post(procs[i%3], "/v1/evaluate", cart(i, "")))
		if b := variantOf(post(procs[(i+1)%3], "/v1/evaluate", cart(i, ""))); a != b {
			t.Fatalf("customer c-%d: %s on %s, %s on %s", i, a, procs[i%3].name, b, procs[(i+1)%3].name)
		}
		perVariant[a]++
	}
	var first string
	for i := range 30 {
		r := post(procs[i%3], "/v1/redemptions", cart(i, fmt.Sprintf(`"order_id":"o-%d","idempotency_key":"k-%d",`, i, i)))
		if i == 0 {
			first = r["redemption_id"].(string)
		}
	}
	post(procs[0], "/v1/redemptions/"+first+"/rollback", "") // where it was made

	get := func(p *clusterProc, path string, v any) {
		t.Helper()
		adminJSON(t, c, "http://"+p.listen+path, v)
	}
	type variant struct {
		Name                              string
		Customers, Exposures, Redemptions int64
		Redeemers                         int64
		ConversionDiffCI                  *[2]float64 `json:"conversion_diff_ci"`
	}
	type experiment struct {
		Phase          string
		PhaseStartedAt string `json:"phase_started_at"`
		Variants       []variant
		CustomersExact bool    `json:"customers_exact"`
		P              float64 `json:"sample_ratio_p_value"`
	}
	type day struct {
		Applied, Redemptions, Discount, Revenue int64
		BudgetUsed                              int64 `json:"budget_used"`
		LimitUsed                               int64 `json:"limit_used"`
		RolledBack                              int64 `json:"rolled_back"`
	}
	var why string
	sums := func(p *clusterProc) bool {
		var x experiment
		get(p, "/v1/experiments/ab", &x)
		var d struct{ Days []day }
		get(p, "/v1/stats/campaigns/first-50?days=1", &d)
		var exposures, redemptions int64
		for _, v := range x.Variants {
			exposures += v.Exposures
			redemptions += v.Redemptions
			// A sketch's estimate: within 2% (a few customers at these sizes).
			if want := float64(perVariant[v.Name]); math.Abs(float64(v.Customers)-want) > math.Max(2, 0.02*want) {
				why = fmt.Sprintf("%s: %s has %d customers, %v assigned", p.name, v.Name, v.Customers, want)
				return false
			}
		}
		today := d.Days[0]
		why = fmt.Sprintf("%s: experiment %+v, first-50 today %+v", p.name, x, today)
		return exposures == 2*customers && redemptions == 29 && !x.CustomersExact && x.PhaseStartedAt != "" &&
			today.Applied == 2*customers && today.Redemptions == 30 && today.RolledBack == 1 && today.LimitUsed == 29 &&
			today.Discount == 3000 && today.BudgetUsed == 2900
	}
	eventually := func(what string, p *clusterProc) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !sums(p) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: %s", what, why)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	start := time.Now()
	for _, p := range procs {
		eventually("every node sums the fleet", p)
	}
	t.Logf("every node showed the fleet's sums %v after the last write (%s)", time.Since(start), why)

	// A node stopped (SIGTERM: it flushes) and started again on its file.
	n1 := procs[1]
	n1.cmd.Process.Signal(syscall.SIGTERM)
	n1.cmd.Wait()
	n1.join = procs[0].gossip
	n1.start(t, bin)
	eventually("the restarted node sums the fleet", n1)
}
