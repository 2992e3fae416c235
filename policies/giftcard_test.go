package policies_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/promoedge/promoedge/policies"
)

// TestSettleResponseRewritesOnlyTheCards: when the commit debited a card
// less than priced, the stored answer's gift_cards and amount_due become
// what was debited, and the rest of it stays byte for byte, even when a
// rule's reason quotes those keys (SettleResponse's comment).
func TestSettleResponseRewritesOnlyTheCards(t *testing.T) {
	dec := policies.Decision{Currency: "USD", BundleRevision: "r1", Subtotal: 5000, Total: 5000,
		Applied: []policies.Applied{}, FreeItems: []policies.FreeItem{}, Points: []policies.PointAward{}, Items: []policies.ItemTotal{},
		Rejected: []policies.Rejection{{Campaign: "c", Reason: policies.RuleFailed, Details: []string{`said ,"gift_cards":[],"amount_due":0}`}}},
		GiftCards: []policies.GiftCardPayment{
			{Code: "G1", Campaign: "gift", Amount: 3000, BalanceBefore: 3000},
			{Code: "G2", Campaign: "gift", Amount: 2000, BalanceBefore: 2500, BalanceAfter: 500},
		},
	}
	r := &policies.Redemption{Total: dec.Total, Response: dec.AppendJSON(nil), GiftCards: []policies.RedeemedGiftCard{
		{Code: "G1", Campaign: "gift", Amount: 1000, Before: 1000}, // another redemption spent 2000 of it first
		{Code: "G2", Campaign: "gift", Amount: 2000, Before: 2500},
	}}
	r.SettleResponse()
	want := dec
	want.GiftCards = []policies.GiftCardPayment{
		{Code: "G1", Campaign: "gift", Amount: 1000, BalanceBefore: 1000},
		{Code: "G2", Campaign: "gift", Amount: 2000, BalanceBefore: 2500, BalanceAfter: 500},
	}
	want.AmountDue = 2000
	if w := want.AppendJSON(nil); !bytes.Equal(r.Response, w) || !json.Valid(r.Response) {
		t.Fatalf("settled answer\n%s\nwant\n%s", r.Response, w)
	}
}
