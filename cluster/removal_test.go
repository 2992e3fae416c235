package cluster

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// These tests drive what an operator takes from a gift card or a wallet
// outside checkout (POST /v1/codes/{code}/balance with a negative amount,
// POST /v1/wallets/{customer}/adjust with negative points) in a fleet: a
// node holding too little asks the others to move the rest here, as a
// checkout does, and refuses only what the reachable fleet cannot pay.

// removeCard removes amount from the card on tn under key.
func (f *fleet) removeCard(tn *tnode, code string, amount int64, key string) (tx *policies.GiftCardTx, err error) {
	err = f.asAClient(func() (err error) {
		tx, err = tn.eng.ChangeBalance(context.Background(), &policies.BalanceChange{Code: code, Amount: -amount, IdempotencyKey: key})
		return err
	})
	return tx, err
}

// asAClient runs an admin change as a client does: again, after a pause,
// while the answer is try_again (its key is being settled in the fleet,
// or a node that may know it does not answer yet), for at most 20 s.
func (f *fleet) asAClient(change func() error) error {
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := change()
		if !errors.Is(err, policies.ErrTryAgain) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestGiftCardRemovedOnAnyNode: a removal on a node holding none of a card
// is paid with balance the holder moves there; the same key again answers
// the first removal; one past what the fleet holds is refused and takes
// nothing, and what it moved still counts; a card empty everywhere is
// refused balance_below_zero on a node it never reached, not unknown.
func TestGiftCardRemovedOnAnyNode(t *testing.T) {
	f := newFleet(t, 3, giftRevision(t))
	code := f.issueCardOn(f.nodes[0], 1000)
	first, err := f.removeCard(f.nodes[2], code, 300, "take-1")
	if err != nil || first.Amount != -300 || first.Kind != policies.CardAdjust {
		t.Fatalf("n2, holding none of the card, removed %+v: %v", first, err)
	}
	again, err := f.removeCard(f.nodes[2], code, 300, "take-1")
	if err != nil || again.ID != first.ID || again.Balance != first.Balance {
		t.Fatalf("the same key again on n2: %+v %v, want the first answer %+v", again, err, first)
	}
	if b := f.cardBooks(code); b.adjusted != -300 || b.balance != 700 {
		t.Fatalf("after one removal of 300 (asked twice): removed %d, balance %d", -b.adjusted, b.balance)
	}

	_, err = f.removeCard(f.nodes[1], code, 800, "take-2")
	if !errors.Is(err, policies.ErrBalanceBelowZero) {
		t.Fatalf("removing 800 of the 700 the fleet holds: %v, want balance below zero", err)
	}
	if b := f.cardBooks(code); b.adjusted != -300 || b.balance != 700 {
		t.Fatalf("a refused removal changed the card: removed %d, balance %d (by node %v)", -b.adjusted, b.balance, b.byNode)
	}
	if _, err := f.removeCard(f.nodes[2], code, 700, "take-3"); err != nil {
		t.Fatalf("removing the 700 left, from wherever it went: %v", err)
	}
	if b := f.cardBooks(code); b.adjusted != -1000 || b.balance != 0 {
		t.Fatalf("after removing it all: removed %d, balance %d", -b.adjusted, b.balance)
	}

	empty := f.issueCardOn(f.nodes[0], 100)
	if _, err := f.removeCard(f.nodes[0], empty, 100, "all"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.removeCard(f.nodes[1], empty, 1, "one"); !errors.Is(err, policies.ErrBalanceBelowZero) {
		t.Fatalf("removing from a card empty everywhere on a node it never reached: %v", err)
	}
	if _, err := f.removeCard(f.nodes[1], "NO-SUCH-CARD", 1, "x"); !errors.Is(err, policies.ErrUnknownCode) {
		t.Fatalf("removing from no card: %v", err)
	}
}

// TestGiftCardRemovalsAndRedeemsConcurrent: removals and redeems of one
// card over three nodes at once never take more than it holds: what the
// answers took is what the ledgers took, and with the balances left it
// adds up to the card's amount.
func TestGiftCardRemovalsAndRedeemsConcurrent(t *testing.T) {
	f := newFleet(t, 3, giftRevision(t))
	code := f.issueCardOn(f.nodes[0], 3000)
	var removed, paid atomic.Int64
	var wg sync.WaitGroup
	for i := range 36 {
		tn := f.nodes[i%3]
		wg.Go(func() {
			if i%2 == 1 {
				p, err := f.redeemCard(tn, code, 250)
				if err != nil {
					t.Error(err)
				}
				paid.Add(p)
				return
			}
			_, err := f.removeCard(tn, code, 150, fmt.Sprint("r", i))
			switch {
			case err == nil:
				removed.Add(150)
			case !errors.Is(err, policies.ErrBalanceBelowZero):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	b := f.cardBooks(code)
	if b.spent != paid.Load() || -b.adjusted != removed.Load() || b.spent-b.adjusted+b.balance != 3000 || b.balance < 0 {
		t.Fatalf("answers paid %d and removed %d; ledgers spent %d, removed %d, balance %d (by node %v): want them equal and adding up to 3000",
			paid.Load(), removed.Load(), b.spent, -b.adjusted, b.balance, b.byNode)
	}
	if removed.Load() == 0 {
		t.Fatal("no removal succeeded")
	}
}

// TestGiftCardRemovalPartition: cut off from the node holding part of a
// card, a removal past what its side holds is refused and changes no
// balance; after the heal the same removal goes through.
func TestGiftCardRemovalPartition(t *testing.T) {
	f := newFleet(t, 3, giftRevision(t))
	n0, n1, n2 := f.nodes[0], f.nodes[1], f.nodes[2]
	code := f.issueCardOn(n0, 1000)
	if paid, err := f.redeemCard(n1, code, 200); err != nil || paid != 200 {
		t.Fatalf("n1 paid %d: %v", paid, err)
	}
	if _, err := n1.eng.ChangeBalance(context.Background(), &policies.BalanceChange{Code: code, Amount: 500, IdempotencyKey: "top"}); err != nil {
		t.Fatal(err)
	}
	// n1 holds the 500 and whatever the redeem moved past its 200 (an ask
	// sent again under load moves more); n0 the rest.
	before := f.cardBooks(code)
	near, far := before.byNode[1]+before.byNode[2], before.byNode[0]
	if before.balance != 1300 || near < 500 || far <= 0 {
		t.Fatalf("balances by node %v, want 1300 in all, 500 or more on n1, some on n0", before.byNode)
	}
	f.net.split([]int{n0.port}, []int{n1.port, n2.port})
	_, err := f.removeCard(n2, code, near+1, "big")
	if !errors.Is(err, policies.ErrBalanceBelowZero) {
		t.Fatalf("n2 removed %d with %d on its side: %v", near+1, near, err)
	}
	if b := f.cardBooks(code); b.adjusted != before.adjusted || b.balance != 1300 || b.byNode[0] != far {
		t.Fatalf("the refused removal changed the card: adjusted %d → %d, balances %v → %v", before.adjusted, b.adjusted, before.byNode, b.byNode)
	}
	f.net.heal()
	f.eventually(20*time.Second, "n2 removes past its side's share after the heal", func() bool {
		_, err := f.removeCard(n2, code, near+1, "big")
		if err != nil && !errors.Is(err, policies.ErrBalanceBelowZero) {
			t.Fatal(err)
		}
		return err == nil
	})
	if b := f.cardBooks(code); b.spent != 200 || b.adjusted != 500-(near+1) || b.balance != 1300-(near+1) {
		t.Fatalf("after the heal: spent %d, adjusted %d, balance %d; want 200, %d, %d", b.spent, b.adjusted, b.balance, 500-(near+1), 1300-(near+1))
	}
}

// TestGiftCardRemovalCrash: the node holding a card crashes while it and
// another node remove from it; after its restart the ledgers' removals
// and balances add up to the card's amount, cover every removal
// acknowledged, and each acknowledged key asked again answers its first
// removal without taking more.
func TestGiftCardRemovalCrash(t *testing.T) {
	f := newFleet(t, 3, giftRevision(t))
	n0, n1 := f.nodes[0], f.nodes[1]
	code := f.issueCardOn(n0, 5000)
	type ack struct {
		tn     *tnode
		amount int64
		key    string
		id     string
	}
	var mu sync.Mutex
	var acks []ack
	var removed atomic.Int64
	take := func(tn *tnode, amount int64, key string) {
		tx, err := f.removeCard(tn, code, amount, key)
		if err == nil {
			removed.Add(amount)
			mu.Lock()
			acks = append(acks, ack{tn, amount, key, tx.ID})
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range 5 {
				f.mu.Lock() // no new work on a crashed node
				if !n0.up {
					f.mu.Unlock()
					return
				}
				n0.busy.Add(1)
				f.mu.Unlock()
				take(n0, 200, fmt.Sprintf("n0-%d-%d", g, k))
				n0.busy.Done()
			}
		})
	}
	for g := range 2 { // n1 removes too: its removals move balance from n0 as n0 goes down
		wg.Go(func() {
			for k := range 3 {
				take(n1, 300, fmt.Sprintf("n1-%d-%d", g, k))
			}
		})
	}
	time.Sleep(5 * time.Millisecond)
	f.crashWhileLoaded(n0)
	wg.Wait()
	f.restart(n0)
	b := f.cardBooks(code)
	if b.balance-b.adjusted != 5000 || -b.adjusted < removed.Load() || b.balance < 0 {
		t.Fatalf("after the crash: removed %d + balance %d != 5000, or below the %d acknowledged", -b.adjusted, b.balance, removed.Load())
	}
	for _, a := range acks {
		tx, err := f.removeCard(a.tn, code, a.amount, a.key)
		if err != nil || tx.ID != a.id {
			t.Fatalf("%s asked again for %s after the restart: %+v %v, want entry %s", a.tn.name, a.key, tx, err, a.id)
		}
	}
	if again := f.cardBooks(code); again.adjusted != b.adjusted || again.balance != b.balance {
		t.Fatalf("asking the acknowledged keys again removed more: %+v, was %+v", again, b)
	}
}

// debitOn debits points from customer's wallet on tn under key.
func (f *fleet) debitOn(tn *tnode, customer string, points int64, key string) (wt *policies.WalletTx, err error) {
	err = f.asAClient(func() (err error) {
		wt, err = tn.eng.Adjust(context.Background(), customer, -points, "test debit", key)
		return err
	})
	return wt, err
}

// walletBooks is what operators debited of customer's wallet and what it
// holds now (walletLedgers).
func (f *fleet) walletBooks(customer string) (debited, balance int64) {
	f.t.Helper()
	_, debited, balance = f.walletLedgers(customer, time.Now())
	return debited, balance
}

// TestWalletDebitOnAnyNode: a debit on a node holding none of a wallet is
// paid with points the holder moves there; the same key again answers the
// first debit; one past what the fleet holds is refused and debits
// nothing, and what it moved still counts.
func TestWalletDebitOnAnyNode(t *testing.T) {
	f := newFleet(t, 3, walletRevision(t))
	f.creditOn(f.nodes[0], "u", 500, "seed")
	first, err := f.debitOn(f.nodes[2], "u", 300, "d1")
	if err != nil || first.Points != -300 || first.Kind != policies.TxAdjust {
		t.Fatalf("n2, holding none of the wallet, debited %+v: %v", first, err)
	}
	if again, err := f.debitOn(f.nodes[2], "u", 300, "d1"); err != nil || again.ID != first.ID {
		t.Fatalf("the same key again on n2: %+v %v, want the first answer %+v", again, err, first)
	}
	if debited, balance := f.walletBooks("u"); debited != 300 || balance != 200 {
		t.Fatalf("after one debit of 300 (asked twice): debited %d, balance %d", debited, balance)
	}
	if _, err := f.debitOn(f.nodes[1], "u", 300, "d2"); !errors.Is(err, policies.ErrInsufficientPoints) {
		t.Fatalf("debiting 300 of the 200 the fleet holds: %v, want insufficient points", err)
	}
	if debited, balance := f.walletBooks("u"); debited != 300 || balance != 200 {
		t.Fatalf("a refused debit changed the wallet: debited %d, balance %d", debited, balance)
	}
	if _, err := f.debitOn(f.nodes[0], "u", 200, "d3"); err != nil {
		t.Fatalf("debiting the 200 left, from wherever they went: %v", err)
	}
	if debited, balance := f.walletBooks("u"); debited != 500 || balance != 0 {
		t.Fatalf("after debiting it all: debited %d, balance %d", debited, balance)
	}
}

// TestWalletDebitsAndRedeemsConcurrent: debits and rewards of one wallet
// over three nodes at once never take more than it holds: what the
// answers took is what the ledgers took, and with the balance left it
// adds up to what was credited.
func TestWalletDebitsAndRedeemsConcurrent(t *testing.T) {
	f := newFleet(t, 3, walletRevision(t))
	f.creditOn(f.nodes[0], "u", 3000, "seed")
	var debited, rewards atomic.Int64
	var wg sync.WaitGroup
	for i := range 24 {
		tn := f.nodes[i%3]
		wg.Go(func() {
			if i%2 == 1 {
				ok, err := f.redeemReward(tn, "u")
				if err != nil {
					t.Error(err)
				}
				if ok {
					rewards.Add(1)
				}
				return
			}
			_, err := f.debitOn(tn, "u", 150, fmt.Sprint("d", i))
			switch {
			case err == nil:
				debited.Add(150)
			case !errors.Is(err, policies.ErrInsufficientPoints):
				t.Error(err)
			}
		})
	}
	wg.Wait()
	spent, ledgerDebited, balance := f.walletLedgers("u", time.Now())
	if ledgerDebited != debited.Load() || spent != 500*rewards.Load() || ledgerDebited+spent+balance != 3000 || balance < 0 {
		t.Fatalf("answers debited %d and took %d rewards; ledgers debited %d, spent %d, balance %d: want them equal and adding up to 3000",
			debited.Load(), rewards.Load(), ledgerDebited, spent, balance)
	}
}
