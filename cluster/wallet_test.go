package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// These tests drive the wallets of a fleet (doc.go, # Loyalty wallets): a
// point lives in one node's file (or in flight between two), is spent only
// there, and moves to the node a checkout reaches when it is short.

var walletEpoch = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func walletRevision(t testing.TB) *policies.Revision {
	t.Helper()
	return loadRevision(t, "w1", map[string]string{
		"promo/loyalty/data.yaml": "rewards:\n  five-off: {points: 500, effect: {type: amount_off, amount: 500}}\n",
	})
}

// creditOn gives customer points on tn, active from walletEpoch.
func (f *fleet) creditOn(tn *tnode, customer string, points int64, key string) {
	_, err := tn.st.Adjust(context.Background(), &policies.Adjustment{Customer: customer, Points: points, Reason: "test",
		IdempotencyKey: key, At: walletEpoch, Terms: policies.LotTerms{Active: walletEpoch}})
	if err != nil {
		f.t.Fatal(err)
	}
}

// redeemReward redeems a cart asking for five-off on tn and reports
// whether the reward applied.
func (f *fleet) redeemReward(tn *tnode, customer string) (bool, error) {
	return f.redeemWith(tn, customer, "five-off")
}

// redeemWith redeems a cart asking for reward on tn and reports whether
// it applied.
func (f *fleet) redeemWith(tn *tnode, customer, reward string) (bool, error) {
	k := f.seq.Add(1)
	body := fmt.Sprintf(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"customer":{"id":%q},"rewards":[%q],"context":{"now":"2026-11-24T12:00:00Z"}}`, customer, reward)
	req, err := tn.eng.Decode([]byte(body))
	if err != nil {
		return false, err
	}
	rc, err := tn.eng.Redeem(context.Background(), &policies.RedeemRequest{Request: req, OrderID: fmt.Sprint("o", k), IdempotencyKey: fmt.Sprintf("%s-w%d", tn.name, k), Hash: "h"})
	if err != nil {
		return false, err
	}
	var out struct{ Applied []policies.Applied }
	if err := json.Unmarshal(rc.Response, &out); err != nil {
		return false, err
	}
	for _, a := range out.Applied {
		if a.Reward == reward {
			return true, nil
		}
	}
	return false, nil
}

// walletLedgers sums, over every node that is up and once every move is
// acknowledged, what rewards spent of customer's wallet and what
// operators debited (from the ledgers), and what it holds as of at.
func (f *fleet) walletLedgers(customer string, at time.Time) (spent, debited, balance int64) {
	f.t.Helper()
	f.movesAcknowledged("wallet moves acknowledged")
	for _, tn := range f.nodes {
		if !tn.up {
			continue
		}
		err := tn.st.Transactions(context.Background(), customer, func(wt *policies.WalletTx) error {
			switch {
			case wt.Kind == policies.TxReward:
				spent -= wt.Points
			case wt.Kind == policies.TxAdjust && wt.Points < 0:
				debited -= wt.Points
			}
			return nil
		})
		if err != nil {
			f.t.Fatal(err)
		}
		b, err := tn.st.Balances(context.Background(), customer, at, 365*24*time.Hour)
		if err != nil {
			f.t.Fatal(err)
		}
		balance += b.Balance
	}
	return spent, debited, balance
}

// totals is what rewards spent of customer's wallet and what it holds a
// month after walletEpoch (walletLedgers).
func (f *fleet) totals(customer string) (spent, balance int64) {
	f.t.Helper()
	spent, _, balance = f.walletLedgers(customer, walletEpoch.AddDate(0, 1, 0))
	return spent, balance
}

// TestWalletSpentOnceAcrossNodes: a balance credited on one node is spent
// on another (its points move there), and concurrent spends of it over
// three real nodes never take more than it holds.
func TestWalletSpentOnceAcrossNodes(t *testing.T) {
	f := newFleet(t, 3, walletRevision(t))
	f.creditOn(f.nodes[0], "v", 500, "seed-v")
	if ok, err := f.redeemReward(f.nodes[2], "v"); err != nil || !ok {
		t.Fatalf("n2 could not spend points credited on n0: %v %v", ok, err)
	}
	f.creditOn(f.nodes[0], "u", 1000, "seed")
	var got atomic.Int64
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			ok, err := f.redeemReward(f.nodes[i%3], "u")
			if err != nil {
				t.Error(err)
			}
			if ok {
				got.Add(1)
			}
		})
	}
	wg.Wait()
	spent, balance := f.totals("u")
	if got.Load() != 2 || spent != 1000 || balance != 0 {
		t.Fatalf("rewards %d, spent %d, balance %d: want 2, 1000, 0", got.Load(), spent, balance)
	}
}

// TestWalletCrashMidSpend: the node holding a wallet crashes while it and
// another node spend it; once it is back and its moves are acknowledged,
// the fleet's spends and balances add up to what was credited, and every
// reward acknowledged is among the spends.
func TestWalletCrashMidSpend(t *testing.T) {
	f := newFleet(t, 3, walletRevision(t))
	n0 := f.nodes[0]
	f.creditOn(n0, "u", 5000, "seed")
	var acked atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				f.mu.Lock() // as the harness's load does: no new work on a crashed node
				if !n0.up {
					f.mu.Unlock()
					return
				}
				n0.busy.Add(1)
				f.mu.Unlock()
				ok, err := f.redeemReward(n0, "u")
				n0.busy.Done()
				if err == nil && ok {
					acked.Add(1)
				}
			}
		})
	}
	for range 2 { // n1 spends too: its redeems move points from n0 as n0 goes down
		wg.Go(func() {
			for range 3 {
				if ok, err := f.redeemReward(f.nodes[1], "u"); err == nil && ok {
					acked.Add(1)
				}
			}
		})
	}
	time.Sleep(5 * time.Millisecond)
	f.crashWhileLoaded(n0)
	wg.Wait()
	f.restart(n0)
	spent, balance := f.totals("u")
	if spent+balance != 5000 || spent < 500*acked.Load() || balance < 0 {
		t.Fatalf("after the crash: spent %d + balance %d != 5000, or fewer than the %d acknowledged", spent, balance, acked.Load())
	}
}

// TestWalletPartition: cut off from the node that holds a wallet, the
// others cannot spend it; the holder can; after the heal nothing was
// spent twice.
func TestWalletPartition(t *testing.T) {
	f := newFleet(t, 3, walletRevision(t))
	f.creditOn(f.nodes[0], "u", 500, "seed")
	f.net.split([]int{f.nodes[0].port}, []int{f.nodes[1].port, f.nodes[2].port})
	if ok, err := f.redeemReward(f.nodes[1], "u"); err != nil || ok {
		t.Fatalf("the far side spent the wallet: %v %v", ok, err)
	}
	if ok, err := f.redeemReward(f.nodes[0], "u"); err != nil || !ok {
		t.Fatalf("the holder could not spend: %v %v", ok, err)
	}
	f.net.heal()
	for _, tn := range f.nodes {
		if ok, _ := f.redeemReward(tn, "u"); ok {
			t.Fatalf("%s spent points already spent", tn.name)
		}
	}
	if spent, balance := f.totals("u"); spent != 500 || balance != 0 {
		t.Fatalf("spent %d, balance %d", spent, balance)
	}
}
