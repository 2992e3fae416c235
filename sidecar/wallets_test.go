package sidecar_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

const testProgram = `timezone: Europe/Dublin
pending_days: 14
expire_days: 365
tiers:
  window_days: 365
  levels: [{name: basic, at_least: 0}, {name: advanced, at_least: 1000}, {name: vip, at_least: 5000}]
earning:
  review_written: {points: 50, per_customer_per_day: 1}
rewards:
  five-off: {name: "$5 off", points: 500, effect: {type: amount_off, amount: 500, scope: cart}}
  socks: {points: 100, effect: {type: free_item, sku: SOCK-GIFT, quantity: 1}, stock: 1}
  tree: {points: 200, donation: {charity: one-tree-planted, amount: 100}}
`

const advancedRule = `package promo.rules.advanced

default eligible := false

eligible if input.wallet.tier == "advanced"
`

var walletT0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type walletEnv struct {
	*sidecartest.Sidecar
	store *store.Store
}

func newWalletEnv(t *testing.T) *walletEnv {
	t.Helper()
	files := map[string]string{
		".manifest":                          `{"revision":"w1","roots":["promo"]}`,
		"promo/loyalty/data.yaml":            testProgram,
		"promo/campaigns/earn/data.json":     `{"effects":[{"type":"points","per_amount":{"points":1,"amount":100}}]}`,
		"promo/campaigns/adv-ship/data.json": `{"rule":"advanced","effects":[{"type":"free_shipping"}]}`,
		"promo/rules/advanced.rego":          advancedRule,
	}
	e, st := storeEngine(t, files, func(cfg *policies.Config, st *store.Store) {
		cfg.Wallets, cfg.Now = st, func() time.Time { return walletT0 }
	})
	return &walletEnv{Sidecar: sidecartest.StartWith(t, e, st, adminToken), store: st}
}

func (e *walletEnv) admin(t *testing.T, path, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://sidecar"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out json.RawMessage
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (e *walletEnv) wallet(t *testing.T, customer, at string) policies.WalletView {
	t.Helper()
	path := "/v1/wallets/" + customer
	if at != "" {
		path += "?at=" + at
	}
	status, out := e.Do(t, "GET", path, nil)
	var v policies.WalletView
	if status != 200 || json.Unmarshal(out, &v) != nil {
		t.Fatalf("GET %s: %d %s", path, status, out)
	}
	return v
}

// checkout is a redemption (or, with order "", an evaluation) of a $100 cart.
func checkout(order, customer string, rewards ...string) string {
	rw, _ := json.Marshal(rewards)
	if rewards == nil {
		rw = []byte("[]")
	}
	cust := ""
	if customer != "" {
		cust = fmt.Sprintf(`"customer":{"id":%q},`, customer)
	}
	keys := ""
	if order != "" {
		keys = fmt.Sprintf(`"order_id":%q,"idempotency_key":%q,`, order, "k-"+order)
	}
	return fmt.Sprintf(`{%s%s"rewards":%s,"context":{"now":%q},"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":10000}],"shipping":{"amount":500}}}`,
		keys, cust, rw, walletT0.Format(time.RFC3339))
}

type pricedReward struct {
	Applied []struct {
		Campaign, Reward string
		Amount           int64
		PointsSpent      int64 `json:"points_spent"`
	}
	Rejected []struct{ Campaign, Reward, Reason string }
	Total    int64
	ID       string `json:"redemption_id"`
}

func (e *walletEnv) redeem(t *testing.T, body string) pricedReward {
	t.Helper()
	status, out := e.Do(t, "POST", "/v1/redemptions", []byte(body))
	var p pricedReward
	if status != 200 || json.Unmarshal(out, &p) != nil {
		t.Fatalf("redeem: %d %s", status, out)
	}
	return p
}

// TestWalletEarnsPendingLotsReadableAsOfAnyTime: a redemption's points
// are a pending lot, spendable pending_days later, expiring expire_days
// after that; ?at= reads any time, and a bad one is a 400.
func TestWalletEarnsPendingLotsReadableAsOfAnyTime(t *testing.T) {
	e := newWalletEnv(t)
	e.redeem(t, checkout("o1", "u-1"))
	if v := e.wallet(t, "u-1", ""); v.Balance != 0 || v.Pending != 100 || v.Earned != 100 || v.Tier != "basic" || v.NextTier == nil || v.NextTier.PointsNeeded != 900 {
		t.Fatalf("now: %+v", v)
	}
	later := walletT0.Add(15 * 24 * time.Hour).Format(time.RFC3339)
	if v := e.wallet(t, "u-1", later); v.Balance != 100 || v.Pending != 0 || len(v.Expiring) != 1 {
		t.Fatalf("15 days later: %+v", v)
	}
	if v := e.wallet(t, "nobody", ""); v.Balance != 0 || v.Tier != "basic" || v.Expiring == nil {
		t.Fatalf("unknown customer: %+v", v)
	}
	if status, out := e.Do(t, "GET", "/v1/wallets/u-1?at=yesterday", nil); status != 400 || !strings.Contains(string(out), `"field":"at"`) {
		t.Fatalf("bad at: %d %s", status, out)
	}
	for format, want := range map[string]string{"json": `"kind":"earn"`, "ndjson": `"points":100`, "csv": "id,at,kind,points,balance,source\n"} {
		status, out := e.Do(t, "GET", "/v1/wallets/u-1/transactions?format="+format, nil)
		if status != 200 || !strings.Contains(string(out), want) {
			t.Fatalf("%s: %d %s", format, status, out)
		}
	}
	if status, _ := e.Do(t, "GET", "/v1/wallets/u-1/transactions?format=xml", nil); status != 400 {
		t.Fatalf("format xml: %d", status)
	}
}

// TestRewardsAtCheckout: a reward applies after every campaign, listed
// with points_spent, and is debited in the redemption's commit; what the
// wallet cannot pay, an unknown reward and an anonymous cart are rejected
// with their reasons; a rollback gives the points back.
func TestRewardsAtCheckout(t *testing.T) {
	e := newWalletEnv(t)
	if status, out := e.admin(t, "/v1/wallets/u-1/adjust", `{"points":700,"reason":"welcome","idempotency_key":"a1"}`); status != 200 {
		t.Fatalf("adjust: %d %s", status, out)
	}
	p := e.redeem(t, checkout("o1", "u-1", "five-off", "five-off", "nope"))
	var spent int64
	for _, a := range p.Applied {
		spent += a.PointsSpent
	}
	reasons := map[string]string{}
	for _, r := range p.Rejected {
		if r.Reward != "" {
			reasons[r.Reward+"/"+r.Reason] = r.Reason
		}
	}
	if spent != 500 || p.Total != 10000+500-500 || len(reasons) != 2 || reasons["five-off/insufficient_points"] == "" || reasons["nope/reward_unknown"] == "" {
		t.Fatalf("priced %+v", p)
	}
	if v := e.wallet(t, "u-1", ""); v.Balance != 200 || v.Pending != 95 { // points on what is paid: $95
		t.Fatalf("after the reward: %+v", v)
	}
	if d := e.Evaluate(t, checkout("", "", "five-off")); d.Rejected[len(d.Rejected)-1].Reason != policies.NotSignedIn {
		t.Fatalf("anonymous: %+v", d.Rejected)
	}
	if status, out := e.Do(t, "POST", "/v1/redemptions/"+p.ID+"/rollback", nil); status != 200 {
		t.Fatalf("rollback: %d %s", status, out)
	}
	if v := e.wallet(t, "u-1", ""); v.Balance != 700 || v.Pending != 0 {
		t.Fatalf("after rollback: %+v", v)
	}
}

// TestConcurrentRedeemsSpendPointsOnce: of many redeems that need the same
// points, exactly one gets the reward; the others are priced without it,
// rejected insufficient_points, all 200.
func TestConcurrentRedeemsSpendPointsOnce(t *testing.T) {
	e := newWalletEnv(t)
	e.admin(t, "/v1/wallets/u-1/adjust", `{"points":500,"reason":"welcome","idempotency_key":"a1"}`)
	var mu sync.Mutex
	got, rejected := 0, 0
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			p := e.redeem(t, checkout(fmt.Sprintf("o%d", i), "u-1", "five-off"))
			mu.Lock()
			defer mu.Unlock()
			for _, a := range p.Applied {
				if a.Reward == "five-off" {
					got++
				}
			}
			for _, r := range p.Rejected {
				if r.Reward == "five-off" && r.Reason == "insufficient_points" {
					rejected++
				}
			}
		})
	}
	wg.Wait()
	if got != 1 || rejected != 15 {
		t.Fatalf("reward applied %d times, rejected %d", got, rejected)
	}
	if v := e.wallet(t, "u-1", ""); v.Balance != 0 {
		t.Fatalf("balance %+v", v)
	}
}

// TestInputWalletReachesRules: a rule sees input.wallet's tier, from the
// points earned in the window.
func TestInputWalletReachesRules(t *testing.T) {
	e := newWalletEnv(t)
	applied := func() bool {
		for _, a := range e.Evaluate(t, checkout("", "u-1")).Applied {
			if a.Campaign == "adv-ship" {
				return true
			}
		}
		return false
	}
	if applied() {
		t.Fatal("basic customer got advanced shipping")
	}
	e.admin(t, "/v1/wallets/u-1/adjust", `{"points":1000,"reason":"tier","idempotency_key":"a1"}`)
	if !applied() {
		t.Fatal("advanced customer did not get advanced shipping")
	}
}
