package cluster

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/promoedge/promoedge/policies"
)

// TestIdempotencyKeysAcrossTheFleet: an admin change sent again with the
// same idempotency key to another node answers the first change and
// changes nothing more — a gift card's removal, a wallet's debit, a
// reward claim — and the same key with another body is a conflict on
// every node.
func TestIdempotencyKeysAcrossTheFleet(t *testing.T) {
	rev := loadRevision(t, "k1", map[string]string{
		"promo/loyalty/data.yaml":            "rewards:\n  tree: {points: 100, stock: 2, donation: {charity: trees, amount: 100}}\n",
		"promo/campaigns/gift-any/data.yaml": "unique_codes: true\ngift_card: {amount: 1000}\n",
	})
	f := newFleet(t, 3, rev)
	code := f.issueCardOn(f.nodes[0], 1000)
	first, err := f.removeCard(f.nodes[1], code, 100, "rm-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range f.nodes {
		again, err := f.removeCard(tn, code, 100, "rm-1")
		if err != nil || again.ID != first.ID || again.Amount != -100 {
			t.Fatalf("%s answers the key again with %+v %v, want %+v", tn.name, again, err, first)
		}
		if _, err := f.removeCard(tn, code, 200, "rm-1"); !errors.Is(err, policies.ErrIdempotencyConflict) {
			t.Fatalf("%s takes the key with another amount: %v", tn.name, err)
		}
	}
	if b := f.cardBooks(code); b.adjusted != -100 || b.balance != 900 {
		t.Fatalf("the card: removed %d, balance %d; want -100 and 900", b.adjusted, b.balance)
	}

	f.creditOn(f.nodes[0], "w", 1000, "seed-w")
	debit, err := f.debitOn(f.nodes[2], "w", 300, "debit-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range f.nodes {
		if again, err := f.debitOn(tn, "w", 300, "debit-1"); err != nil || again.ID != debit.ID {
			t.Fatalf("%s answers the debit's key again with %+v %v, want %+v", tn.name, again, err, debit)
		}
	}
	if debited, balance := f.walletBooks("w"); debited != 300 || balance != 700 {
		t.Fatalf("the wallet: debited %d, balance %d; want 300 and 700", debited, balance)
	}

	f.creditOn(f.nodes[0], "d", 100, "seed-d")
	claim, err := f.nodes[1].eng.ClaimReward(context.Background(), "d", "tree", "claim-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range f.nodes {
		var again *policies.ClaimResult
		err := f.asAClient(func() (err error) {
			again, err = tn.eng.ClaimReward(context.Background(), "d", "tree", "claim-1")
			return err
		})
		if err != nil || !reflect.DeepEqual(again, claim) {
			t.Fatalf("%s answers the claim's key again with %+v %v, want %+v", tn.name, again, err, claim)
		}
	}
	if spent, balance := f.totals("d"); spent != 100 || balance != 0 {
		t.Fatalf("the claim spent %d, balance %d; want 100 and 0", spent, balance)
	}
}
