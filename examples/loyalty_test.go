package examples_test

import (
	"context"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/client"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

const loyaltyAdmin = "loyalty-admin"

// startWallets serves the example bundle over a real bbolt store, so that
// its loyalty program has wallets, and returns an admin client.
func startWallets(t *testing.T) *client.Client {
	t.Helper()
	stack := sidecartest.ExampleStack(t, "", nil)
	s := sidecartest.StartDeps(t, stack.Deps, loyaltyAdmin)
	c, err := client.New("http://sidecar", client.WithHTTPClient(s.Client), client.WithAdminToken(loyaltyAdmin))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// soon is a checkout a minute from now: after the adjustments' lots.
func soon() string { return time.Now().UTC().Add(time.Minute).Format(time.RFC3339) }

func give(t *testing.T, c *client.Client, customer string, points int64) {
	t.Helper()
	if _, err := c.Adjust(context.Background(), customer, points, "example", customer+"-seed"); err != nil {
		t.Fatal(err)
	}
}

// TestLoyaltyTierDrivesFreeShippingAndDoublePoints: the tier the program
// computes from earned points (not one the checkout sends) gives free
// shipping to Advanced customers over $30 and to VIPs always, and VIPs
// double points.
func TestLoyaltyTierDrivesFreeShippingAndDoublePoints(t *testing.T) {
	c := startWallets(t)
	cart := func(customer string, price int) *client.Request {
		return request(soon(), []line{{"PEN", "office", 1, price}}, 599, `{"id":"`+customer+`"}`, "")
	}
	if _, ok := applied(evaluate(t, c, cart("u-adv", 3001)), "free-ship-advanced"); ok {
		t.Fatal("a basic customer got advanced free shipping")
	}
	give(t, c, "u-adv", 1200)
	if _, ok := applied(evaluate(t, c, cart("u-adv", 3001)), "free-ship-advanced"); !ok {
		t.Fatal("an advanced customer over $30 has no free shipping")
	}
	give(t, c, "u-vip", 5000)
	d := evaluate(t, c, cart("u-vip", 100))
	if _, ok := applied(d, "free-ship-vip"); !ok {
		t.Fatal("a vip has no free shipping")
	}
	d = evaluate(t, c, request(soon(), []line{{"LAMP", "home", 1, 10050}}, 0, `{"id":"u-vip"}`, ""))
	if p := pointsOf(d); p["loyalty-points"] != 100 || p["loyalty-vip-2x"] != 100 {
		t.Fatalf("vip points %v", p)
	}
}

// TestLoyaltyCatalogue: a percent coupon, an amount coupon and a free
// product bought with points at checkout, a donation claimed outside it.
func TestLoyaltyCatalogue(t *testing.T) {
	c := startWallets(t)
	ctx := context.Background()
	give(t, c, "u-r", 2600)
	req := request(soon(), []line{{"LAMP", "home", 1, 10000}}, 0, `{"id":"u-r"}`, "")
	req.Rewards = []string{"ten-percent", "five-off", "socks", "socks"}
	rc, err := c.Redeem(ctx, &client.RedeemRequest{Request: *req, OrderID: "o-r", IdempotencyKey: "k-r"})
	if err != nil {
		t.Fatal(err)
	}
	spent := map[string]int64{}
	for _, a := range rc.Applied {
		if a.Reward != "" {
			spent[a.Reward] += a.PointsSpent
		}
	}
	if spent["ten-percent"] != 1000 || spent["five-off"] != 500 || spent["socks"] != 800 || len(rc.FreeItems) != 1 || rc.FreeItems[0].SKU != "SOCK-GIFT" {
		t.Fatalf("rewards %v, free items %+v", spent, rc.FreeItems)
	}
	if last := rc.Rejected[len(rc.Rejected)-1]; last.Reward != "socks" || last.Reason != policies.InsufficientPoints {
		t.Fatalf("the second socks: %+v", last)
	}
	if rc.Discount != 1000+500 {
		t.Fatalf("discount %d: 10%% of 100.00, then 5.00", rc.Discount)
	}
	give(t, c, "u-d", 250)
	r, err := c.ClaimReward(ctx, "u-d", "tree", "tree-1")
	if err != nil || r.PointsSpent != 200 || r.Balance != 50 || r.Donation.Charity != "one-tree-planted" {
		t.Fatalf("donation %+v %v", r, err)
	}
}

// TestLoyaltyPointsForReviewsAndShares: a review earns 50 once a day, a
// share 20 three times a day.
func TestLoyaltyPointsForReviewsAndShares(t *testing.T) {
	c := startWallets(t)
	ctx := context.Background()
	var total int64
	for i, ev := range []struct {
		typ  string
		want int64
	}{{"review_written", 50}, {"review_written", 0}, {"social_share", 20}, {"social_share", 20}, {"social_share", 20}, {"social_share", 0}} {
		r, err := c.RecordEvent(ctx, &client.Event{ID: "ev-" + string(rune('a'+i)), Type: ev.typ, CustomerID: "u-e"})
		if err != nil || r.Points != ev.want || r.Capped != (ev.want == 0) {
			t.Fatalf("event %d %s: %+v %v", i, ev.typ, r, err)
		}
		total += r.Points
	}
	if w, err := c.Wallet(ctx, "u-e", time.Time{}); err != nil || w.Balance != total {
		t.Fatalf("wallet %+v %v, want %d", w, err, total)
	}
}

// pointsOf is each campaign's points in d.
func pointsOf(d *policies.Decision) map[string]int64 {
	m := map[string]int64{}
	for _, p := range d.Points {
		m[p.Campaign] += p.Points
	}
	return m
}
