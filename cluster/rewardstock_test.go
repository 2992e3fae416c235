package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/promoedge/promoedge/policies"
)

// These tests drive a reward's stock on a fleet: its units are escrowed
// rights under policies.RewardKey (StockLimit), so "100 socks" means 100
// across the fleet, at checkout and when claimed outside it.

func stockRevision(t testing.TB) *policies.Revision {
	t.Helper()
	return loadRevision(t, "s1", map[string]string{
		"promo/loyalty/data.yaml": `rewards:
  socks: {points: 100, stock: 6, effect: {type: amount_off, amount: 100}}
  mugs: {points: 100, stock: 6, effect: {type: amount_off, amount: 100}}
  caps: {points: 100, stock: 4, effect: {type: amount_off, amount: 100}}
  tree: {points: 100, stock: 2, donation: {charity: trees, amount: 100}}
`,
	})
}

// stockUsed is Σ consumed of a reward's stock rights over the nodes that
// are up, and Σ held plus in flight: together they are the stock.
func (f *fleet) stockUsed(reward string) (consumed, rest int64) {
	held, consumed, inflight := f.rightsTotal(policies.RewardKey(reward), limitCount)
	return consumed, held + inflight
}

// TestRewardStockAcrossTheFleet: concurrent checkouts over three real
// nodes get exactly the stock's units of a reward, never more; and all of
// it can be had on one node.
func TestRewardStockAcrossTheFleet(t *testing.T) {
	f := newFleet(t, 3, stockRevision(t))
	for i := range 24 {
		f.creditOn(f.nodes[i%3], fmt.Sprint("c", i), 100, fmt.Sprint("seed-c", i))
		f.creditOn(f.nodes[2], fmt.Sprint("m", i), 100, fmt.Sprint("seed-m", i))
	}
	var got, gotOne atomic.Int64
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Go(func() {
			ok, err := f.redeemWith(f.nodes[i%3], fmt.Sprint("c", i), "socks")
			if err != nil {
				t.Error(err)
			}
			if ok {
				got.Add(1)
			}
		})
		wg.Go(func() { // every checkout on one node: the whole stock comes to it
			ok, err := f.redeemWith(f.nodes[2], fmt.Sprint("m", i), "mugs")
			if err != nil {
				t.Error(err)
			}
			if ok {
				gotOne.Add(1)
			}
		})
	}
	wg.Wait()
	if got.Load() != 6 || gotOne.Load() != 6 {
		t.Fatalf("socks given %d over three nodes, mugs %d on one node: want 6 and 6", got.Load(), gotOne.Load())
	}
	if consumed, rest := f.stockUsed("socks"); consumed != 6 || rest != 0 {
		t.Fatalf("socks' rights: consumed %d, left %d; want 6, 0", consumed, rest)
	}
}

// TestRewardClaimAcrossTheFleet: a reward claimed outside checkout on a
// node that holds neither the customer's points nor the reward's units
// gets both from its peers, and the stock still holds across the fleet.
func TestRewardClaimAcrossTheFleet(t *testing.T) {
	f := newFleet(t, 3, stockRevision(t))
	for i := range 3 {
		f.creditOn(f.nodes[0], fmt.Sprint("d", i), 100, fmt.Sprint("seed-d", i))
	}
	var claimed, out int
	for i := range 3 {
		res, err := f.nodes[1+i%2].eng.ClaimReward(context.Background(), fmt.Sprint("d", i), "tree", fmt.Sprint("claim-", i))
		switch {
		case err == nil && res.PointsSpent == 100:
			claimed++
		case errors.Is(err, policies.ErrOutOfStock):
			out++
		default:
			t.Fatalf("claim %d: %+v %v", i, res, err)
		}
	}
	if claimed != 2 || out != 1 {
		t.Fatalf("claims %d, out of stock %d: want 2 and 1", claimed, out)
	}
	spent, balance := f.totals("d2")
	if spent != 0 || balance != 100 {
		t.Fatalf("the refused claim spent %d (balance %d)", spent, balance)
	}
}

// TestRewardStockPartitionAndCrash: while the fleet is split, and while a
// node that holds units is down, both sides checkout; the stock is never
// exceeded, and after the heal and the restart every unit is accounted
// for.
func TestRewardStockPartitionAndCrash(t *testing.T) {
	f := newFleet(t, 3, stockRevision(t))
	for i := range 30 {
		f.creditOn(f.nodes[i%3], fmt.Sprint("p", i), 100, fmt.Sprint("seed-p", i))
	}
	var got atomic.Int64
	redeem := func(i int) {
		if ok, err := f.redeemWith(f.nodes[i%3], fmt.Sprint("p", i), "caps"); err == nil && ok {
			got.Add(1)
		}
	}
	redeem(1) // n1 fetches units before the split
	f.net.split([]int{f.nodes[0].port}, []int{f.nodes[1].port, f.nodes[2].port})
	var wg sync.WaitGroup
	for i := 2; i < 14; i++ {
		wg.Go(func() { redeem(i) })
	}
	wg.Wait()
	if got.Load() > 4 {
		t.Fatalf("split: %d caps given of 4", got.Load())
	}
	f.net.heal()
	f.crash(f.nodes[1])
	for i := 14; i < 22; i++ {
		if i%3 != 1 {
			redeem(i)
		}
	}
	f.restart(f.nodes[1])
	for i := 22; i < 30; i++ {
		redeem(i)
	}
	f.eventually(10e9, "every caps transfer credited", func() bool {
		_, _, inflight := f.rightsTotal(policies.RewardKey("caps"), limitCount)
		return inflight == 0
	})
	consumed, rest := f.stockUsed("caps")
	if got.Load() > 4 || consumed != got.Load() || consumed+rest != 4 {
		t.Fatalf("caps given %d, rights consumed %d + left %d; want at most 4 given, all consumed, 4 in all", got.Load(), consumed, rest)
	}
	if got.Load() != 4 {
		t.Fatalf("after the heal and the restart only %d of 4 caps could be had", got.Load())
	}
}
