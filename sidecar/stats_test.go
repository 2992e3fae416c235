package sidecar_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/stats"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/api"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// statsEnv is a sidecar over a bbolt file at a fixed path, so that a test
// can stop it and open the same file again (a restart).
type statsEnv struct {
	*sidecartest.Sidecar
	store  *store.Store
	engine *policies.Engine
	dir    string
}

func writeBundle(t testing.TB, dir, revision string, campaigns map[string]string) *policies.Revision {
	t.Helper()
	bdir := filepath.Join(dir, "bundle-"+revision)
	for id, doc := range campaigns {
		p := filepath.Join(bdir, "promo", "campaigns", id)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(p, "data.json"), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(bdir, ".manifest"), []byte(`{"revision":"`+revision+`","roots":["promo"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	rev, err := bundle.LoadPath(context.Background(), bdir)
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

func startStats(t *testing.T, dir string, rev *policies.Revision) *statsEnv {
	t.Helper()
	st, err := store.Open(store.DefaultConfig(filepath.Join(dir, "data")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := policies.NewEngine(policies.Config{Usage: st, Codes: st, Committer: st})
	e.Swap(rev)
	sc := sidecartest.StartDeps(t, sidecar.Deps{Engine: e, State: st, Stats: st}, adminToken)
	return &statsEnv{Sidecar: sc, store: st, engine: e, dir: dir}
}

// restart stops the sidecar, closes the file and opens it again.
func (e *statsEnv) restart(t *testing.T, rev *policies.Revision) *statsEnv {
	t.Helper()
	e.Stop() // flushes what it counted
	if err := e.store.Close(); err != nil {
		t.Fatal(err)
	}
	return startStats(t, e.dir, rev)
}

func getJSON[T any](t *testing.T, s *sidecartest.Sidecar, path string) T {
	t.Helper()
	status, out := s.DoAs(t, adminToken, "GET", path, nil)
	if status != 200 {
		t.Fatalf("GET %s: %d %s", path, status, out)
	}
	var v T
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, out)
	}
	return v
}

func evalBody(customer string, unitPrice int, codes ...string) string {
	return redeemBody("", "", customer, unitPrice, codes...)
}

func TestCampaignStatsCountAndSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	campaigns := map[string]string{
		"ten-off":   `{"name":"Ten off","limits":{"budget":100000,"redemptions":50},"effects":[{"type":"amount_off","amount":1000}]}`,
		"big-carts": `{"name":"Big carts","when":{"cart":{"subtotal":{"at_least":10000}}},"effects":[{"type":"percent_off","percent":5}]}`,
	}
	rev := writeBundle(t, dir, "r1", campaigns)
	e := startStats(t, dir, rev)
	for i := range 5 {
		e.Evaluate(t, evalBody(fmt.Sprint("u", i), 5000)) // ten-off applies, big-carts is rejected rule
	}
	var ids []string
	for i := range 3 {
		_, r, out := (&redeemEnv{Sidecar: e.Sidecar}).redeem(t, redeemBody(fmt.Sprint("o", i), fmt.Sprint("k", i), fmt.Sprint("u", i), 20000))
		if !appliedTo(r, "ten-off") || !appliedTo(r, "big-carts") {
			t.Fatalf("redeem %d: %s", i, out)
		}
		ids = append(ids, r.RedemptionID)
	}
	if status, out := e.Do(t, "POST", "/v1/redemptions/"+ids[0]+"/rollback", nil); status != 200 {
		t.Fatalf("rollback: %d %s", status, out)
	}
	today := stats.DayOf(time.Now()).String()
	want := func(t *testing.T, got api.CampaignDays) {
		t.Helper()
		if got.Name != "Ten off" || got.Limits.Budget != 100000 || len(got.Days) != 30 || got.Days[29].Date != today {
			t.Fatalf("campaign %+v", got)
		}
		d := got.Days[29]
		// big-carts' 5% (1,000) comes first (same priority: by id), then
		// the 1,000 off: 18,000 is each order's total.
		if d.Applied != 5 || d.Redemptions != 3 || d.Discount != 3000 || d.Revenue != 3*18000 ||
			d.BudgetUsed != 2000 || d.LimitUsed != 2 || d.RolledBack != 1 {
			t.Fatalf("ten-off today: %+v", d)
		}
		tot := got.Total
		tot.Date = d.Date
		if fmt.Sprint(tot) != fmt.Sprint(d) {
			t.Fatalf("total %+v differs from the one day counted %+v", got.Total, d)
		}
	}
	all := getJSON[api.CampaignStats](t, e.Sidecar, "/v1/stats/campaigns")
	if all.To != today || len(all.Campaigns) != 2 {
		t.Fatalf("stats: %+v", all)
	}
	for _, c := range all.Campaigns {
		switch c.Campaign {
		case "ten-off":
			want(t, c)
		case "big-carts":
			if d := c.Days[29]; d.Applied != 0 || d.Rejections["rule"] != 5 || d.Redemptions != 3 || d.Discount != 3*1000 || d.BudgetUsed != 2000 {
				t.Fatalf("big-carts today: %+v", d)
			}
		default:
			t.Fatalf("unexpected campaign %q", c.Campaign)
		}
	}
	// A restart keeps every day: they are in the file.
	e = e.restart(t, rev)
	want(t, getJSON[api.CampaignDays](t, e.Sidecar, "/v1/stats/campaigns/ten-off"))
	// Counts go on adding after the restart.
	e.Evaluate(t, evalBody("u9", 5000))
	if d := getJSON[api.CampaignDays](t, e.Sidecar, "/v1/stats/campaigns/ten-off?days=1"); len(d.Days) != 1 || d.Days[0].Applied != 6 {
		t.Fatalf("after the restart: %+v", d)
	}
}

func TestCampaignStatsDaysAndBadInput(t *testing.T) {
	dir := t.TempDir()
	rev := writeBundle(t, dir, "r1", map[string]string{"c": `{"effects":[{"type":"amount_off","amount":100}]}`})
	e := startStats(t, dir, rev)
	today := stats.DayOf(time.Now())
	// Rows of earlier days, as a node wrote them (30 and 31 days ago: the
	// first in a 31-day range, the second outside).
	err := e.store.Add(context.Background(), []stats.Delta{
		{Key: stats.Key{Campaign: "c", Day: today - 30}, Counts: stats.Counts{Applied: 7, Rejections: map[string]int64{"disabled": 2}}},
		{Key: stats.Key{Campaign: "c", Day: today - 31}, Counts: stats.Counts{Applied: 100}},
		{Key: stats.Key{Campaign: "gone", Day: today - 1}, Counts: stats.Counts{Redemptions: 1, Discount: 5, Revenue: 50}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := getJSON[api.CampaignDays](t, e.Sidecar, "/v1/stats/campaigns/c?days=31")
	if got.Days[0].Date != (today-30).String() || got.Days[0].Applied != 7 || got.Days[0].Rejections["disabled"] != 2 || got.Total.Applied != 7 {
		t.Fatalf("31 days: %+v", got)
	}
	// A campaign the bundle dropped is still listed while it has counts.
	all := getJSON[api.CampaignStats](t, e.Sidecar, "/v1/stats/campaigns?days=2")
	if len(all.Campaigns) != 2 || all.Campaigns[1].Campaign != "gone" || all.Campaigns[1].Total.Revenue != 50 {
		t.Fatalf("dropped campaign: %+v", all)
	}
	for _, c := range []struct {
		path   string
		token  string
		status int
	}{
		{"/v1/stats/campaigns?days=0", adminToken, 400},
		{"/v1/stats/campaigns?days=367", adminToken, 400},
		{"/v1/stats/campaigns?days=x", adminToken, 400},
		{"/v1/stats/campaigns/nope", adminToken, 404},
		{"/v1/stats/campaigns", "", 401},
		{"/v1/experiments/c", adminToken, 404}, // not an experiment
		{"/v1/experiments/nope", adminToken, 404},
	} {
		if status, out := e.DoAs(t, c.token, "GET", c.path, nil); status != c.status {
			t.Errorf("GET %s: %d %s, want %d", c.path, status, out, c.status)
		}
	}
	// Without a keeper: 503.
	bare := sidecartest.StartDeps(t, sidecar.Deps{Engine: policies.NewEngine(policies.Config{})}, adminToken)
	if status, _ := bare.DoAs(t, adminToken, "GET", "/v1/stats/campaigns", nil); status != 503 {
		t.Errorf("no keeper: %d", status)
	}
}
