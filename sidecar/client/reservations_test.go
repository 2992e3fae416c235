package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/client"
)

// TestReserveCommitRelease: a reservation holds a generated code's use
// (another order presenting it gets it rejected), its commit is the
// redemption, and a released one gives the code back and refuses a commit.
func TestReserveCommitRelease(t *testing.T) {
	stack, ln := serveTCP(t, adminToken)
	c := tcpClient(t, ln)
	admin := tcpClient(t, ln, client.WithAdminToken(adminToken))
	ctx := context.Background()
	codes := generate(t, stack.Store, 2)

	reserve := func(key, code string) *client.Hold {
		t.Helper()
		h, err := c.Reserve(ctx, &client.ReserveRequest{Request: cart("", "", "u-1", code).Request, IdempotencyKey: key, TTL: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		if amount, ok := appliedAmount(&h.Decision, "vouchers"); !ok || amount != 500 || !strings.HasPrefix(h.ReservationID, "rs_") ||
			time.Until(h.ExpiresAt) < 50*time.Second {
			t.Fatalf("hold %+v", h)
		}
		return h
	}
	h := reserve("r-1", codes[0])
	if cd, err := admin.Code(ctx, codes[0]); err != nil || cd.State != "used" {
		t.Fatalf("a held code: %+v %v", cd, err)
	}
	other, err := c.Redeem(ctx, cart("o-9", "k-9", "u-2", codes[0]))
	if _, ok := appliedAmount(&other.Decision, "vouchers"); err != nil || ok {
		t.Fatalf("another order used a held code: %+v %v", other, err)
	}
	req := cart("o-1", "k-1", "u-1", codes[0])
	req.ReservationID = h.ReservationID
	rc, err := c.Redeem(ctx, req)
	if amount, ok := appliedAmount(&rc.Decision, "vouchers"); err != nil || !ok || amount != 500 {
		t.Fatalf("commit: %+v %v", rc, err)
	}
	if r, err := c.GetReservation(ctx, h.ReservationID); err != nil || r.Status != policies.Committed || r.RedemptionID != rc.RedemptionID {
		t.Fatalf("after commit: %+v %v", r, err)
	}

	h2 := reserve("r-2", codes[1])
	for range 2 {
		if r, err := c.Release(ctx, h2.ReservationID); err != nil || r.Status != policies.Released {
			t.Fatalf("release: %+v %v", r, err)
		}
	}
	if cd, err := admin.Code(ctx, codes[1]); err != nil || cd.State != "active" {
		t.Fatalf("a released code: %+v %v", cd, err)
	}
	req = cart("o-2", "k-2", "u-1", codes[1])
	req.ReservationID = h2.ReservationID
	if _, err := c.Redeem(ctx, req); !errors.Is(err, client.ErrReservationReleased) {
		t.Fatalf("commit after release: %v", err)
	}
	if _, err := c.GetReservation(ctx, "rs_nope"); !errors.Is(err, client.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
}
