package examples_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/client"
)

// friendCart is a $50 first order of a signed-in friend; customer is a
// JSON object.
func friendCart(customer string, code string) *client.Request {
	return withCodes(request(soon(), []line{{"MUG-1", "kitchen", 2, 2500}}, 0, customer, ""), code)
}

// referRedeem redeems friend's cart with code and returns the receipt.
func referRedeem(t *testing.T, c *client.Client, customer, code, key string) *client.Receipt {
	t.Helper()
	rc, err := c.Redeem(context.Background(), &client.RedeemRequest{Request: *friendCart(customer, code), OrderID: "o-" + key, IdempotencyKey: key})
	if err != nil {
		t.Fatalf("redeem %s: %v", key, err)
	}
	return rc
}

func pendingOf(t *testing.T, c *client.Client, customer string) int64 {
	t.Helper()
	w, err := c.Wallet(context.Background(), customer, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return w.Pending
}

// TestReferralTiers: the tiered programme people run, end to end through
// the HTTP API: Basic may refer 3 friends for 10 points each, Advanced 5
// for 15, VIP without limit for 20; each friend gets $10 off their first
// order; the referrer's points are pending lots, taken back when the
// friend's redemption is rolled back.
func TestReferralTiers(t *testing.T) {
	c := startWallets(t)
	ctx := context.Background()
	give(t, c, "r-adv", 1500)
	give(t, c, "r-vip", 6000)
	for _, tc := range []struct {
		referrer    string
		points, max int64 // max 0: no limit
	}{{"r-basic", 10, 3}, {"r-adv", 15, 5}, {"r-vip", 20, 0}} {
		ref, err := c.IssueReferral(ctx, "refer-a-friend", tc.referrer, "")
		if err != nil {
			t.Fatal(err)
		}
		if again, err := c.IssueReferral(ctx, "refer-a-friend", tc.referrer, ""); err != nil || again.Code != ref.Code {
			t.Fatalf("%s asked again: %+v %v, want %s", tc.referrer, again, err, ref.Code)
		}
		if (tc.max == 0) != (ref.Remaining == nil) || (tc.max > 0 && *ref.Remaining != tc.max) {
			t.Fatalf("%s: remaining %v, want %d", tc.referrer, ref.Remaining, tc.max)
		}
		before := pendingOf(t, c, tc.referrer)
		friends := tc.max
		if friends == 0 {
			friends = 7 // beyond Advanced's 5: VIP has no limit
		}
		for i := range friends {
			friend := fmt.Sprintf("%s-f%d", tc.referrer, i)
			rc := referRedeem(t, c, `{"id":"`+friend+`"}`, ref.Code, friend)
			if amount, ok := applied(&rc.Decision, "refer-a-friend"); !ok || amount != 1000 {
				t.Fatalf("%s: friend %d got %d off (%v)", tc.referrer, i, amount, rc.Rejected)
			}
		}
		if got := pendingOf(t, c, tc.referrer) - before; got != friends*tc.points {
			t.Fatalf("%s: %d points pending for %d friends, want %d each", tc.referrer, got, friends, tc.points)
		}
		one := fmt.Sprintf("%s-extra", tc.referrer)
		rc := referRedeem(t, c, `{"id":"`+one+`"}`, ref.Code, one)
		if r := rejection(&rc.Decision, "refer-a-friend"); tc.max > 0 && (r == nil || r.Reason != policies.ReferralLimit) {
			t.Fatalf("%s: friend past the limit: %+v", tc.referrer, rc.Rejected)
		}
		view, err := c.Referral(ctx, ref.Code)
		if err != nil || view.Referrer != tc.referrer || int64(len(view.Uses)) != friends+boolInt(tc.max == 0) {
			t.Fatalf("%s: referral view %+v %v", tc.referrer, view, err)
		}
	}
	// Rolling a friend's redemption back takes the referrer's lot back.
	ref, _ := c.IssueReferral(ctx, "refer-a-friend", "r-vip", "")
	before := pendingOf(t, c, "r-vip")
	rc := referRedeem(t, c, `{"id":"late-friend"}`, ref.Code, "late-friend")
	if pendingOf(t, c, "r-vip") != before+20 {
		t.Fatal("no points for the late friend")
	}
	if _, err := c.Rollback(ctx, rc.RedemptionID); err != nil {
		t.Fatal(err)
	}
	if got := pendingOf(t, c, "r-vip"); got != before {
		t.Fatalf("after rollback %d pending, want %d", got, before)
	}
}

// TestReferralWhoMayUseIt: only a signed-in, new customer who is not the
// referrer (by id, or by e-mail lower-cased without its +tag) and was
// never referred.
func TestReferralWhoMayUseIt(t *testing.T) {
	c := startWallets(t)
	ctx := context.Background()
	ref, err := c.IssueReferral(ctx, "refer-a-friend", "alice", "Alice+promo@Example.com")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, customer string
		want           policies.Reason
	}{
		{"anonymous", ``, policies.NotSignedIn},
		{"the referrer", `{"id":"alice"}`, policies.ReferralSelf},
		{"the referrer by e-mail", `{"id":"alice-2","email":"ALICE@example.com"}`, policies.ReferralSelf},
		{"a customer with orders", `{"id":"bob","orders_count":3}`, policies.ReferralNotNew},
	} {
		d := evaluate(t, c, friendCart(tc.customer, ref.Code))
		if r := rejection(d, "refer-a-friend"); r == nil || r.Reason != tc.want {
			t.Errorf("%s: %+v, want %s", tc.name, d.Rejected, tc.want)
		}
	}
	referRedeem(t, c, `{"id":"carol"}`, ref.Code, "carol-1")
	other, err := c.IssueReferral(ctx, "refer-a-friend", "dave", "")
	if err != nil {
		t.Fatal(err)
	}
	rc := referRedeem(t, c, `{"id":"carol"}`, other.Code, "carol-2")
	if r := rejection(&rc.Decision, "refer-a-friend"); r == nil || r.Reason != policies.ReferralNotNew {
		t.Fatalf("carol referred twice: %+v", rc.Rejected)
	}
	referRedeem(t, c, `{"id":"erin"}`, "", "erin-1") // erin's first order, without a code
	d := evaluate(t, c, friendCart(`{"id":"erin"}`, ref.Code))
	if r := rejection(d, "refer-a-friend"); r == nil || r.Reason != policies.ReferralNotNew {
		t.Fatalf("erin after an order: %+v", d.Rejected)
	}
}

// TestReferralBadInput: a code for an unknown campaign, or for one that
// is not a referral programme, is a clear error and writes nothing; a
// referral programme's codes come only from POST /v1/referrals.
func TestReferralBadInput(t *testing.T) {
	c := startWallets(t)
	ctx := context.Background()
	_, err := c.IssueReferral(ctx, "no-such-campaign", "alice", "")
	wantStatus(t, err, 404, "unknown campaign")
	_, err = c.IssueReferral(ctx, "gift-vip", "alice", "")
	wantStatus(t, err, 400, "not a referral programme")
	_, err = c.IssueReferral(ctx, "refer-a-friend", "", "")
	wantStatus(t, err, 400, "no customer")
	_, err = c.Referral(ctx, "REF-NONE-NONE")
	wantStatus(t, err, 404, "unknown code")
	_, err = c.GenerateCodes(ctx, "refer-a-friend", client.CodeSpec{Count: 1, Pattern: "R-####"}, func([]string) error { return nil })
	wantStatus(t, err, 400, "generated codes of a referral programme")
	// Nothing was written: alice's first code is made now, with nothing used.
	ref, err := c.IssueReferral(ctx, "refer-a-friend", "alice", "")
	if err != nil || ref.Referrals != 0 || ref.Remaining == nil || *ref.Remaining != 3 {
		t.Fatalf("alice's code %+v %v", ref, err)
	}
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
