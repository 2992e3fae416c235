package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/client"
)

// TestWalletThroughTheClient: events, adjustments, claims, reads and the
// ledger, over a real sidecar serving the example bundle's program.
func TestWalletThroughTheClient(t *testing.T) {
	_, ln := serveTCP(t, "tok")
	c := tcpClient(t, ln, client.WithAdminToken("tok"))
	ctx := context.Background()
	if r, err := c.RecordEvent(ctx, &client.Event{ID: "e1", Type: "review_written", CustomerID: "u-1"}); err != nil || r.Points != 50 {
		t.Fatalf("event: %+v %v", r, err)
	}
	if wt, err := c.Adjust(ctx, "u-1", 250, "welcome", "a1"); err != nil || wt.Balance != 300 || wt.Kind != policies.TxAdjust {
		t.Fatalf("adjust: %+v %v", wt, err)
	}
	if r, err := c.ClaimReward(ctx, "u-1", "tree", "c1"); err != nil || r.Balance != 100 || r.Donation == nil {
		t.Fatalf("claim: %+v %v", r, err)
	}
	if _, err := c.ClaimReward(ctx, "u-1", "socks", "c2"); err == nil {
		t.Fatal("an effect reward was claimed outside checkout")
	}
	var apiErr *client.APIError
	if _, err := c.Adjust(ctx, "u-1", -1000, "too much", "a2"); !errors.As(err, &apiErr) || apiErr.Code != "insufficient_points" {
		t.Fatalf("overdraw: %v", err)
	}
	v, err := c.Wallet(ctx, "u-1", time.Time{})
	if err != nil || v.Balance != 100 || v.Tier != "basic" || v.NextTier.Name != "advanced" {
		t.Fatalf("wallet %+v %v", v, err)
	}
	var kinds []policies.TxKind
	if err := c.WalletTransactions(ctx, "u-1", func(wt *policies.WalletTx) error { kinds = append(kinds, wt.Kind); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(kinds) != 3 || kinds[0] != policies.TxEarn || kinds[2] != policies.TxReward {
		t.Fatalf("ledger kinds %v", kinds)
	}
}
