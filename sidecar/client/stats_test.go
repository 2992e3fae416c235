package client_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/promoedge/promoedge/sidecar/client"
)

func TestStatsAndExperiment(t *testing.T) {
	const ab = `{"name":"A/B","code":"AB","variants":[
	 {"name":"five","weight":50,"effects":[{"type":"amount_off","amount":500}]},
	 {"name":"control","weight":50,"holdout":true}]}`
	_, ln := serveTCPWith(t, adminToken, map[string]string{"promo/campaigns/ab/data.json": ab})
	ctx := context.Background()
	c := tcpClient(t, ln, client.WithAdminToken(adminToken))
	variants := map[string]int{}
	for i := range 40 {
		r := cart(fmt.Sprint("o-", i), fmt.Sprint("k-", i), fmt.Sprint("u-", i), "AB")
		d, err := c.Evaluate(ctx, &r.Request)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := appliedAmount(d, "ab"); ok {
			variants["five"]++
		} else {
			variants["control"]++
		}
		if i < 10 {
			if _, err := c.Redeem(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	all, err := c.CampaignStats(ctx, 7)
	if err != nil || len(all.Campaigns) < 2 || len(all.Campaigns[0].Days) != 7 {
		t.Fatalf("stats: %v %+v", err, all)
	}
	days, err := c.CampaignDays(ctx, "ab", 1)
	if err != nil || days.Name != "A/B" || days.Days[0].Applied != int64(variants["five"]) || days.Days[0].Rejections["holdout"] != int64(variants["control"]) {
		t.Fatalf("ab: %v %+v (variants %v)", err, days, variants)
	}
	x, err := c.Experiment(ctx, "ab")
	if err != nil || len(x.Variants) != 2 || x.Variants[0].Customers != int64(variants["five"]) || x.Variants[1].Customers != int64(variants["control"]) ||
		x.Variants[0].Redemptions+x.Variants[1].Redemptions != 10 || !x.CustomersExact {
		t.Fatalf("experiment: %v %+v (variants %v)", err, x, variants)
	}
	if _, err := c.Experiment(ctx, "socks-bogo"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("not an experiment: %v", err)
	}
	if _, err := c.CampaignDays(ctx, "nope", 1); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("unknown campaign: %v", err)
	}
}
