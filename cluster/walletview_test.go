package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// tierRevision has tiers, so that a wallet read shows what the fleet's
// shares add up to: silver needs points earned on two nodes.
func tierRevision(t testing.TB) *policies.Revision {
	t.Helper()
	return loadRevision(t, "t1", map[string]string{
		"promo/loyalty/data.yaml": `tiers:
  window_days: 365
  levels: [{name: basic, at_least: 0}, {name: silver, at_least: 400}, {name: gold, at_least: 1000}]
rewards:
  five-off: {points: 500, effect: {type: amount_off, amount: 500}}
`,
		"promo/campaigns/silver-off/data.yaml": "when: {loyalty: {tier: silver}}\neffects: [{type: amount_off, amount: 100}]\n",
	})
}

// lotOn credits customer a lot on tn that expires at expiry.
func (f *fleet) lotOn(tn *tnode, customer string, points int64, key string, expiry time.Time) {
	f.t.Helper()
	_, err := tn.st.Adjust(context.Background(), &policies.Adjustment{Customer: customer, Points: points, Reason: "test",
		IdempotencyKey: key, At: walletEpoch, Terms: policies.LotTerms{Active: walletEpoch, Expiry: expiry}})
	if err != nil {
		f.t.Fatal(err)
	}
}

// TestWalletReadAcrossTheFleet: GET /v1/wallets on a node that holds no
// lot of the wallet shows the whole of it, its tier from the points
// earned on every node, and its expiry dates merged; cut off from a
// holder, it says the answer is partial instead of showing less as whole.
func TestWalletReadAcrossTheFleet(t *testing.T) {
	f := newFleet(t, 3, tierRevision(t))
	soon, later := walletEpoch.AddDate(0, 2, 0), walletEpoch.AddDate(0, 3, 0)
	f.lotOn(f.nodes[0], "u", 300, "a", soon)
	f.lotOn(f.nodes[1], "u", 200, "b", soon)
	f.lotOn(f.nodes[1], "u", 100, "c", later)
	at := walletEpoch.AddDate(0, 0, 10)
	v, err := f.nodes[2].eng.Wallet(context.Background(), "u", at)
	if err != nil {
		t.Fatal(err)
	}
	if v.Balance != 600 || v.Earned != 600 || v.Tier != "silver" || v.NextTier == nil || v.NextTier.PointsNeeded != 400 || v.Partial ||
		len(v.Expiring) != 2 || v.Expiring[0].Points != 500 || !v.Expiring[0].At.Equal(soon) || v.Expiring[1].Points != 100 {
		t.Fatalf("the fleet's wallet read on n2: %+v", v)
	}
	// A spend on n2 moves points there; the whole stays the same.
	if ok, err := f.redeemReward(f.nodes[2], "u"); err != nil || !ok {
		t.Fatalf("n2 could not spend the fleet's points: %v %v", ok, err)
	}
	f.totals("u") // every move acknowledged
	if v, err = f.nodes[0].eng.Wallet(context.Background(), "u", at.Add(time.Hour)); err != nil || v.Balance != 100 || v.Earned != 600 || v.Tier != "silver" {
		t.Fatalf("after a spend across nodes, n0 reads %+v, %v; want balance 100, earned 600", v, err)
	}
	f.net.split([]int{f.nodes[0].port}, []int{f.nodes[1].port, f.nodes[2].port})
	v, err = f.nodes[2].eng.Wallet(context.Background(), "u", at.Add(time.Hour))
	if err != nil || !v.Partial {
		t.Fatalf("cut off from n0, n2 read %+v, %v; want it marked partial", v, err)
	}
	f.net.heal()
}

// TestWalletSharesAlone: a node with no peers reads its own file whole.
func TestWalletSharesAlone(t *testing.T) {
	f := newFleet(t, 1, tierRevision(t))
	f.lotOn(f.nodes[0], "u", 450, "a", time.Time{})
	b, err := f.nodes[0].node.Rights().Shares(context.Background(), "u", walletEpoch, 365*24*time.Hour)
	if err != nil || b.Balance != 0 || errors.Is(err, policies.ErrWalletPartial) {
		t.Fatalf("a lone node's peers' shares: %+v, %v", b, err)
	}
	if v, err := f.nodes[0].eng.Wallet(context.Background(), "u", walletEpoch); err != nil || v.Balance != 450 || v.Tier != "silver" || v.Partial {
		t.Fatalf("%+v %v", v, err)
	}
}

// TestWalletTierAtCheckout: a customer whose points were earned on two
// nodes is silver at checkout on a third, which holds none of them: each
// node tells the others its share of a wallet that changed, and pricing
// adds them up with no network on the way.
func TestWalletTierAtCheckout(t *testing.T) {
	f := newFleet(t, 3, tierRevision(t))
	f.lotOn(f.nodes[0], "u", 300, "a", time.Time{})
	f.lotOn(f.nodes[1], "u", 200, "b", time.Time{})
	silver := func(tn *tnode) bool {
		dec := f.evaluate(tn, `{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"customer":{"id":"u"},"context":{"now":"2026-11-10T12:00:00Z"}}`)
		for _, a := range dec.Applied {
			if a.Campaign == "silver-off" {
				return true
			}
		}
		return false
	}
	f.eventually(5*time.Second, "n2 prices u as silver", func() bool { return silver(f.nodes[2]) })
	if b := f.nodes[2].node.Rights().Gossiped("u"); b.Balance != 500 || b.Earned != 500 {
		t.Fatalf("n2's gossiped shares of u: %+v; want 500 balance and earned", b)
	}
	// n0 alone holds 300: its own share plus n1's told one make silver.
	f.eventually(5*time.Second, "n0 adds n1's share", func() bool { return silver(f.nodes[0]) })
	// A spend on n2 moves points there; the tier (earned) stays, and the
	// told balances follow the moves.
	if ok, err := f.redeemReward(f.nodes[2], "u"); err != nil || !ok {
		t.Fatalf("n2 could not spend: %v %v", ok, err)
	}
	f.totals("u")
	f.eventually(5*time.Second, "n2 sees the moved points gone from the others' shares", func() bool {
		b := f.nodes[2].node.Rights().Gossiped("u")
		return b.Balance == 0 && b.Earned == 500
	})
	if !silver(f.nodes[2]) || !silver(f.nodes[1]) {
		t.Fatal("a spend moved the tier away")
	}
}
