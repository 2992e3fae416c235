package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// These tests drive gift cards in a fleet (doc.go, # Gift cards): a card's
// balance lives in one node's file (or in flight between two), is spent
// only there, and moves to the node a checkout reaches when it has none.

func giftRevision(t testing.TB) *policies.Revision {
	return testRevision(t, "g1", map[string]string{"gift-any": `{"unique_codes": true, "gift_card": {"amount": 1000}}`})
}

// issueCardOn generates one card of amount on tn and waits until every
// node that is up knows its code.
func (f *fleet) issueCardOn(tn *tnode, amount int64) string {
	f.t.Helper()
	var code string
	sp := policies.CodeSpec{Count: 1, Pattern: "GC-########", Card: &policies.CardTerms{Amount: amount}}
	err := tn.st.Generate(context.Background(), "gift-any", sp, func(b []string) error { code = b[0]; return nil })
	if err != nil {
		f.t.Fatal(err)
	}
	f.eventually(10*time.Second, "the card's code replicated", func() bool {
		for _, o := range f.nodes {
			if _, err := o.st.Code(context.Background(), code); o.up && err != nil {
				return false
			}
		}
		return true
	})
	return code
}

// redeemCard redeems a cart of price paid with the card on tn and returns
// what the card paid, as answered.
func (f *fleet) redeemCard(tn *tnode, code string, price int64) (int64, error) {
	k := f.seq.Add(1)
	body := fmt.Sprintf(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":%d}]},"codes":[%q],"context":{"now":"2026-11-24T12:00:00Z"}}`, price, code)
	req, err := tn.eng.Decode([]byte(body))
	if err != nil {
		return 0, err
	}
	rc, err := tn.eng.Redeem(context.Background(), &policies.RedeemRequest{Request: req, OrderID: fmt.Sprint("o", k), IdempotencyKey: fmt.Sprintf("%s-g%d", tn.name, k), Hash: "h"})
	if err != nil {
		return 0, err
	}
	var out struct {
		GiftCards []policies.GiftCardPayment `json:"gift_cards"`
		AmountDue int64                      `json:"amount_due"`
		Total     int64
	}
	if err := json.Unmarshal(rc.Response, &out); err != nil {
		return 0, err
	}
	var paid int64
	for _, g := range out.GiftCards {
		paid += g.Amount
	}
	if out.AmountDue != out.Total-paid {
		return 0, fmt.Errorf("amount due %d of total %d with %d paid", out.AmountDue, out.Total, paid)
	}
	return paid, nil
}

// cardPaysAt is what evaluate on tn has code pay of a cart of price.
func (f *fleet) cardPaysAt(tn *tnode, code string, price int64) int64 {
	var paid int64
	for _, g := range f.evaluate(tn, fmt.Sprintf(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":%d}]},"codes":[%q],"context":{"now":"2026-11-24T12:00:00Z"}}`, price, code)).GiftCards {
		paid += g.Amount
	}
	return paid
}

// cardBooks is a card's ledgers summed over the nodes that are up, once
// every move is acknowledged; each node's ledger must chain balance
// after balance.
type cardBooks struct {
	spent    int64 // taken by redemptions
	adjusted int64 // signed sum of the operators' top-ups and removals
	balance  int64
	byNode   []int64 // each node's balance
}

func (f *fleet) cardBooks(code string) cardBooks {
	f.t.Helper()
	f.movesAcknowledged("card moves acknowledged")
	var b cardBooks
	for _, tn := range f.nodes {
		if !tn.up {
			b.byNode = append(b.byNode, 0)
			continue
		}
		c, txs, err := tn.st.GiftCardView(context.Background(), code)
		if errors.Is(err, policies.ErrUnknownCode) { // none of the card ever came here
			b.byNode = append(b.byNode, 0)
			continue
		}
		if err != nil {
			f.t.Fatal(err)
		}
		var run int64
		for _, tx := range txs {
			if run += tx.Amount; run != tx.Balance || run < 0 {
				f.t.Fatalf("%s: the card's ledger breaks at %+v", tn.name, tx)
			}
			switch tx.Kind {
			case policies.CardRedeem:
				b.spent -= tx.Amount
			case policies.CardAdjust:
				b.adjusted += tx.Amount
			}
		}
		b.balance += c.Balance
		b.byNode = append(b.byNode, c.Balance)
	}
	return b
}

// cardTotals is what redemptions took from the card and what it holds
// (cardBooks).
func (f *fleet) cardTotals(code string) (spent, balance int64) {
	f.t.Helper()
	b := f.cardBooks(code)
	return b.spent, b.balance
}

// TestGiftCardSpentOnceAcrossNodes: a card issued on one node is spent in
// full on another (its balance moves there), and concurrent spends over
// three real nodes never take more than it holds.
func TestGiftCardSpentOnceAcrossNodes(t *testing.T) {
	f := newFleet(t, 3, giftRevision(t))
	whole := f.issueCardOn(f.nodes[0], 1000)
	if paid, err := f.redeemCard(f.nodes[2], whole, 5000); err != nil || paid != 1000 {
		t.Fatalf("n2 paid %d of a card of 1000 issued on n0 (%v); want all of it", paid, err)
	}
	code := f.issueCardOn(f.nodes[0], 1000)
	var paid atomic.Int64
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			p, err := f.redeemCard(f.nodes[i%3], code, 100)
			if err != nil {
				t.Error(err)
			}
			paid.Add(p)
		})
	}
	wg.Wait()
	spent, balance := f.cardTotals(code)
	if spent != paid.Load() || spent+balance != 1000 || balance < 0 {
		t.Fatalf("answers paid %d, ledgers spent %d, balance %d: want spent = paid, spent + balance = 1000", paid.Load(), spent, balance)
	}
}

// TestGiftCardCrashMidSpend: the node holding a card crashes while it and
// another node spend it; once it is back and its moves are acknowledged,
// spends and balances add up to the card's amount and cover every
// payment acknowledged.
func TestGiftCardCrashMidSpend(t *testing.T) {
	f := newFleet(t, 3, giftRevision(t))
	n0 := f.nodes[0]
	code := f.issueCardOn(n0, 5000)
	var acked atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 5 {
				f.mu.Lock()
				if !n0.up {
					f.mu.Unlock()
					return
				}
				n0.busy.Add(1)
				f.mu.Unlock()
				p, err := f.redeemCard(n0, code, 200)
				n0.busy.Done()
				if err == nil {
					acked.Add(p)
				}
			}
		})
	}
	for range 2 { // n1 spends too: its redeems move balance from n0 as n0 goes down
		wg.Go(func() {
			for range 3 {
				if p, err := f.redeemCard(f.nodes[1], code, 300); err == nil {
					acked.Add(p)
				}
			}
		})
	}
	time.Sleep(5 * time.Millisecond)
	f.crashWhileLoaded(n0)
	wg.Wait()
	f.restart(n0)
	spent, balance := f.cardTotals(code)
	if spent+balance != 5000 || spent < acked.Load() || balance < 0 {
		t.Fatalf("after the crash: spent %d + balance %d != 5000, or below the %d acknowledged", spent, balance, acked.Load())
	}
}

// TestGiftCardPartition: cut off from the node that holds a card, the
// others cannot spend it; the holder can; after the heal nothing was
// spent twice and the rest can be spent anywhere.
func TestGiftCardPartition(t *testing.T) {
	f := newFleet(t, 3, giftRevision(t))
	code := f.issueCardOn(f.nodes[0], 1000)
	f.net.split([]int{f.nodes[0].port}, []int{f.nodes[1].port, f.nodes[2].port})
	if paid, err := f.redeemCard(f.nodes[1], code, 400); err != nil || paid != 0 {
		t.Fatalf("the far side spent the card: %d %v", paid, err)
	}
	if paid, err := f.redeemCard(f.nodes[0], code, 400); err != nil || paid != 400 {
		t.Fatalf("the holder could not spend: %d %v", paid, err)
	}
	f.net.heal()
	var after int64 // the fleet finds n0 again, then n2 gets the rest
	f.eventually(20*time.Second, "n2 spends what is left after the heal", func() bool {
		paid, err := f.redeemCard(f.nodes[2], code, 5000)
		if err != nil {
			t.Fatal(err)
		}
		after += paid
		return after >= 600
	})
	if after != 600 {
		t.Fatalf("after the heal n2 paid %d, want the 600 left", after)
	}
	if spent, balance := f.cardTotals(code); spent != 1000 || balance != 0 {
		t.Fatalf("spent %d, balance %d", spent, balance)
	}
}

// TestGiftCardSeenFromEveryNode: a node that holds none of a card prices
// it at evaluate with the balance the others told, and GET /v1/codes
// there shows the whole balance; after a spend on a third node both
// follow.
func TestGiftCardSeenFromEveryNode(t *testing.T) {
	f := newFleet(t, 3, giftRevision(t))
	code := f.issueCardOn(f.nodes[0], 1000)
	pays := func(tn *tnode, price int64) int64 { return f.cardPaysAt(tn, code, price) }
	f.eventually(5*time.Second, "n2 prices the card n0 holds", func() bool { return pays(f.nodes[2], 5000) == 1000 })
	if v, err := f.nodes[2].eng.GiftCardView(context.Background(), code); err != nil || v == nil || v.Balance != 1000 || v.Partial {
		t.Fatalf("n2's view of the card: %+v %v", v, err)
	}
	if paid, err := f.redeemCard(f.nodes[1], code, 600); err != nil || paid != 600 {
		t.Fatalf("n1 spent %d: %v", paid, err)
	}
	f.cardTotals(code) // every move acknowledged
	f.eventually(5*time.Second, "n2 prices what is left", func() bool { return pays(f.nodes[2], 5000) == 400 })
	if v, err := f.nodes[2].eng.GiftCardView(context.Background(), code); err != nil || v == nil || v.Balance != 400 {
		t.Fatalf("n2's view after the spend: %+v %v", v, err)
	}
	// Every node shows the one ledger: the issue on n0 and the spend on
	// n1, with the card's balance after each, and not the move between.
	for _, tn := range f.nodes {
		v, err := tn.eng.GiftCardView(context.Background(), code)
		if err != nil || v == nil {
			t.Fatalf("%s: %+v %v", tn.name, v, err)
		}
		var got []string
		for _, tx := range v.Transactions {
			got = append(got, fmt.Sprintf("%s %d -> %d", tx.Kind, tx.Amount, tx.Balance))
		}
		if want := []string{"issue 1000 -> 1000", "redeem -600 -> 400"}; !slices.Equal(got, want) {
			t.Fatalf("%s shows the ledger %q, want %q", tn.name, got, want)
		}
	}
}

// TestGiftCardTopUpOnAnyNode: a top-up on a node the card never reached
// makes the card there with its terms as the issuing node has them; the
// fleet's view shows the one ledger, and a redeem elsewhere can spend
// the whole balance, both nodes' shares.
func TestGiftCardTopUpOnAnyNode(t *testing.T) {
	f := newFleet(t, 3, giftRevision(t))
	code := f.issueCardOn(f.nodes[0], 1000)
	n2 := f.nodes[2]
	top := &policies.BalanceChange{Code: code, Amount: 500, IdempotencyKey: "top"}
	if tx, err := n2.eng.ChangeBalance(context.Background(), top); err != nil || tx.Amount != 500 {
		t.Fatalf("top-up on n2: %+v %v", tx, err)
	}
	if again, err := n2.eng.ChangeBalance(context.Background(), &policies.BalanceChange{Code: code, Amount: 500, IdempotencyKey: "top"}); err != nil || again.ID == "" {
		t.Fatalf("the same key again: %+v %v", again, err)
	}
	mine, err := n2.st.GiftCard(context.Background(), code)
	if err != nil || mine.Balance != 500 || mine.Campaign != "gift-any" {
		t.Fatalf("n2's card: %+v %v", mine, err)
	}
	v, err := f.nodes[1].eng.GiftCardView(context.Background(), code)
	if err != nil || v == nil || v.Balance != 1500 || len(v.Transactions) != 2 || v.Transactions[1].Kind != policies.CardAdjust || v.Transactions[1].Balance != 1500 {
		t.Fatalf("n1's view: %+v %v", v, err)
	}
	f.eventually(10*time.Second, "n1 prices the shares n0 and n2 told", func() bool { return f.cardPaysAt(f.nodes[1], code, 5000) == 1500 })
	if paid, err := f.redeemCard(f.nodes[1], code, 5000); err != nil || paid != 1500 {
		t.Fatalf("n1 paid %d of the 1500 on n0 and n2: %v", paid, err)
	}
	if spent, balance := f.cardTotals(code); spent != 1500 || balance != 0 {
		t.Fatalf("spent %d, balance %d", spent, balance)
	}
}

// TestGiftCardSplitAcrossNodesPaysWhole: a redeem on a node that holds
// part of a card pays the whole balance, its own share and the others'
// moved here, as evaluate there showed it.
func TestGiftCardSplitAcrossNodesPaysWhole(t *testing.T) {
	f := newFleet(t, 3, giftRevision(t))
	code := f.issueCardOn(f.nodes[0], 1000)
	n1 := f.nodes[1]
	if _, err := n1.eng.ChangeBalance(context.Background(), &policies.BalanceChange{Code: code, Amount: 300, IdempotencyKey: "top"}); err != nil {
		t.Fatal(err)
	}
	f.eventually(10*time.Second, "n1 prices its 300 and n0's 1000", func() bool { return f.cardPaysAt(n1, code, 5000) == 1300 })
	if paid, err := f.redeemCard(n1, code, 5000); err != nil || paid != 1300 {
		t.Fatalf("n1, holding 300 of 1300, paid %d: %v", paid, err)
	}
	if spent, balance := f.cardTotals(code); spent != 1300 || balance != 0 {
		t.Fatalf("spent %d, balance %d", spent, balance)
	}
}
