package examples_test

import (
	"context"
	"errors"
	"testing"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/client"
)

// oneCard generates one card of campaign through the API (amount nil:
// the program's).
func oneCard(t *testing.T, c *client.Client, campaign string, amount *int64) string {
	t.Helper()
	var code string
	_, err := c.GenerateCodes(context.Background(), campaign, client.CodeSpec{Count: 1, Pattern: "GIFT-####-????", Amount: amount}, func(b []string) error {
		code = b[0]
		return nil
	})
	if err != nil {
		t.Fatalf("generating a card of %s: %v", campaign, err)
	}
	return code
}

// shopCart is the example cart of the gift card price tests: the shop's
// own t-shirt, another brand's jeans and a coat on sale.
func shopCart(customer string) *client.Request {
	req := request(soon(), []line{{"TEE-1", "apparel", 1, 2000}, {"JEANS-1", "apparel", 1, 800}, {"COAT-1", "apparel", 1, 5000}}, 599, `{"id":"`+customer+`"}`, "")
	req.Cart.Items[0].Attributes = map[string]any{"brand": "promoedge"}
	req.Cart.Items[1].Attributes = map[string]any{"brand": "levis"}
	req.Cart.Items[2].Attributes = map[string]any{"brand": "acme", "sale": true}
	return req
}

// wantStatus fails t unless err is the API's answer with status.
func wantStatus(t *testing.T, err error, status int, what string) {
	t.Helper()
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != status {
		t.Fatalf("%s: %v, want status %d", what, err, status)
	}
}

func cardPaid(d *policies.Decision, code string) int64 {
	for _, g := range d.GiftCards {
		if g.Code == code {
			return g.Amount
		}
	}
	return -1
}

// TestGiftCardPerTier: the $30 card of each tier, generated and redeemed
// through the HTTP API over a real store: VIP on anything, Advanced not
// on sale items, Basic only on the shop's own brands; the redemption
// debits the card, rollback puts the amount back.
func TestGiftCardPerTier(t *testing.T) {
	c := startWallets(t)
	ctx := context.Background()
	give(t, c, "u-vip", 6000)
	give(t, c, "u-adv", 1500)
	for _, tc := range []struct {
		customer, campaign string
		paid, due          int64
	}{
		{"u-vip", "gift-vip", 3000, 7800 - 3000},      // free shipping for VIPs; the card pays anything
		{"u-adv", "gift-advanced", 2800, 7800 - 2800}, // free shipping over $30; not the coat on sale
		{"u-basic", "gift-basic", 2000, 8399 - 2000},  // only the t-shirt of the shop's own brand
	} {
		code := oneCard(t, c, tc.campaign, nil)
		d := evaluate(t, c, withCodes(shopCart(tc.customer), code))
		if cardPaid(d, code) != tc.paid || d.AmountDue != tc.due {
			t.Fatalf("%s: gift cards %+v, amount due %d; want %d paid, %d due", tc.campaign, d.GiftCards, d.AmountDue, tc.paid, tc.due)
		}
		rc, err := c.Redeem(ctx, &client.RedeemRequest{Request: *withCodes(shopCart(tc.customer), code), OrderID: "o-" + code, IdempotencyKey: "k-" + code})
		if err != nil || cardPaid(&rc.Decision, code) != tc.paid || rc.AmountDue != tc.due {
			t.Fatalf("%s: redeem %+v %v", tc.campaign, rc, err)
		}
		g, err := c.GiftCard(ctx, code)
		if err != nil || g.CardView == nil || g.Balance != 3000-tc.paid || len(g.Transactions) != 2 || g.Transactions[1].Amount != -tc.paid {
			t.Fatalf("%s: card after redeem %+v %v", tc.campaign, g, err)
		}
		if _, err := c.Rollback(ctx, rc.RedemptionID); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Rollback(ctx, rc.RedemptionID); err != nil { // once
			t.Fatal(err)
		}
		if g, err = c.GiftCard(ctx, code); err != nil || g.Balance != 3000 || len(g.Transactions) != 3 || g.Transactions[2].Balance != 3000 {
			t.Fatalf("%s: card after rollback %+v %v", tc.campaign, g, err)
		}
	}
	// A VIP card in a Basic customer's cart is refused by its rule.
	code := oneCard(t, c, "gift-vip", nil)
	d := evaluate(t, c, withCodes(shopCart("u-basic"), code))
	if r := rejection(d, "gift-vip"); r == nil || r.Reason != policies.RuleFailed || cardPaid(d, code) != -1 {
		t.Fatalf("a vip card for a basic customer: %+v", d)
	}
}

// TestGiftCardFromTheRewardsCatalogue: a VIP claims the $30 card with
// points; it is theirs to spend at checkout.
func TestGiftCardFromTheRewardsCatalogue(t *testing.T) {
	c := startWallets(t)
	ctx := context.Background()
	give(t, c, "u-vip", 9000)
	r, err := c.ClaimReward(ctx, "u-vip", "gift-30", "claim-1")
	if err != nil || r.PointsSpent != 3000 || r.GiftCard == nil || r.GiftCard.Balance != 3000 || r.Balance != 6000 {
		t.Fatalf("claim %+v %v", r, err)
	}
	again, err := c.ClaimReward(ctx, "u-vip", "gift-30", "claim-1")
	if err != nil || again.GiftCard == nil || again.GiftCard.Code != r.GiftCard.Code {
		t.Fatalf("the same claim again issued another card: %+v %v", again, err)
	}
	g, err := c.GiftCard(ctx, r.GiftCard.Code)
	if err != nil || g.Campaign != "gift-vip" || g.Owner != "u-vip" || g.CardView == nil || g.Balance != 3000 {
		t.Fatalf("issued card %+v %v", g, err)
	}
	d := evaluate(t, c, withCodes(shopCart("u-vip"), r.GiftCard.Code))
	if cardPaid(d, r.GiftCard.Code) != 3000 {
		t.Fatalf("the issued card at checkout: %+v", d.GiftCards)
	}
}

// TestGiftCardBalanceChanges: an operator tops up and takes from a card,
// idempotently; a removal past zero is 409 and changes nothing; a
// generated card takes an amount, a plain campaign's codes do not; bad
// amounts and currencies write nothing.
func TestGiftCardBalanceChanges(t *testing.T) {
	c := startWallets(t)
	ctx := context.Background()
	amount := int64(5000)
	code := oneCard(t, c, "gift-vip", &amount)
	if tx, err := c.ChangeBalance(ctx, code, 1000, "top-1"); err != nil || tx.Balance != 6000 || tx.Kind != policies.CardAdjust {
		t.Fatalf("top up %+v %v", tx, err)
	}
	if tx, err := c.ChangeBalance(ctx, code, 1000, "top-1"); err != nil || tx.Balance != 6000 {
		t.Fatalf("the same top up again %+v %v", tx, err)
	}
	_, err := c.ChangeBalance(ctx, code, 1000, "")
	wantStatus(t, err, 400, "no key")
	_, err = c.ChangeBalance(ctx, code, 2000, "top-1")
	wantStatus(t, err, 409, "the key with another amount")
	_, err = c.ChangeBalance(ctx, code, -6001, "take-1")
	wantStatus(t, err, 409, "below zero")
	_, err = c.ChangeBalance(ctx, "NOT-A-CARD", 10, "x")
	wantStatus(t, err, 404, "unknown card")
	if tx, err := c.ChangeBalance(ctx, code, -6000, "take-2"); err != nil || tx.Balance != 0 {
		t.Fatalf("take all %+v %v", tx, err)
	}
	g, err := c.GiftCard(ctx, code)
	if err != nil || g.Balance != 0 || len(g.Transactions) != 3 {
		t.Fatalf("card %+v %v: want issue, top up, removal", g, err)
	}
	for i, want := range []int64{5000, 6000, 0} {
		if g.Transactions[i].Balance != want {
			t.Fatalf("entry %d: %+v, want balance %d", i, g.Transactions[i], want)
		}
	}
	// Bad generation requests write nothing.
	neg, zero := int64(-5), int64(100)
	for _, bad := range []struct {
		campaign string
		spec     client.CodeSpec
	}{
		{"gift-vip", client.CodeSpec{Count: 1, Pattern: "BAD-####", Amount: &neg}},
		{"gift-vip", client.CodeSpec{Count: 1, Pattern: "BAD-####", Currency: "EUR"}},
		{"sorry-voucher", client.CodeSpec{Count: 1, Pattern: "BAD-####", Amount: &zero}},
	} {
		n, err := c.GenerateCodes(ctx, bad.campaign, bad.spec, func([]string) error { return nil })
		wantStatus(t, err, 400, "bad generation")
		if n != 0 {
			t.Fatalf("bad generation made %d codes", n)
		}
	}
}
