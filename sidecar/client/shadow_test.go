package client_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/promoedge/promoedge/sidecar/client"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// TestShadowBundle loads, reads, drops and promotes a shadow bundle
// through the client against a real sidecar, and gets the typed errors.
func TestShadowBundle(t *testing.T) {
	_, ln := serveTCP(t, adminToken)
	ctx := context.Background()
	c := tcpClient(t, ln, client.WithAdminToken(adminToken))
	var apiErr *client.APIError
	if _, err := c.PromoteShadow(ctx); !errors.As(err, &apiErr) || apiErr.Status != 409 || apiErr.Code != "no_shadow" {
		t.Fatalf("promote with no shadow: %v", err)
	}
	if _, err := c.LoadShadow(ctx, []byte("not a bundle")); !errors.As(err, &apiErr) || apiErr.Code != "bundle_refused" {
		t.Fatalf("bad shadow: %v", err)
	}
	if _, err := c.Shadow(ctx); !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Fatalf("report with no shadow: %v", err)
	}
	candidate := sidecartest.ExampleTarballWith(t, "client-shadow", map[string]string{"promo/campaigns/vouchers/data.json": vouchers})
	if rep, err := c.LoadShadow(ctx, candidate); err != nil || rep.Revision != "client-shadow" {
		t.Fatalf("load: %+v %v", rep, err)
	}
	req := cart("o-1", "k-1", "u-1").Request
	if _, err := c.Evaluate(ctx, &req); err != nil {
		t.Fatal(err)
	}
	var rep *client.ShadowReport
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		var err error
		if rep, err = c.Shadow(ctx); err != nil {
			t.Fatal(err)
		}
		if rep.Compared == 1 {
			break
		}
	}
	if rep.Compared != 1 || rep.Revision != "client-shadow" {
		t.Fatalf("report: %+v", rep)
	}
	if rep, err := c.DropShadow(ctx); err != nil || rep.Compared != 1 {
		t.Fatalf("drop: %+v %v", rep, err)
	}
	if _, err := c.LoadShadow(ctx, candidate); err != nil {
		t.Fatal(err)
	}
	act, err := c.PromoteShadow(ctx)
	if err != nil || act.Revision != "client-shadow" {
		t.Fatalf("promote: %+v %v", act, err)
	}
}
