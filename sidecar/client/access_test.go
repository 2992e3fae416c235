package client_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/client"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// TestAPIToken: against a sidecar with --api-token, a client without a
// token is refused, one WithAPIToken prices carts but opens no admin call,
// and one WithAdminToken opens both.
func TestAPIToken(t *testing.T) {
	stack := sidecartest.ExampleStack(t, "", map[string]string{"promo/campaigns/vouchers/data.json": vouchers})
	cfg := sidecar.DefaultConfig()
	cfg.AdminToken, cfg.APIToken = adminToken, "checkout"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sidecartest.Serve(t, cfg, stack.Deps, ln)
	base := "http://" + ln.Addr().String()
	ctx := context.Background()
	req := cart("o-1", "k-1", "u-1").Request
	if _, err := newClient(t, base).Evaluate(ctx, &req); !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("no token: %v", err)
	}
	checkout := newClient(t, base, client.WithAPIToken("checkout"))
	if _, err := checkout.Evaluate(ctx, &req); err != nil {
		t.Fatalf("API token: %v", err)
	}
	if _, err := checkout.Code(ctx, "NOPE-1"); !errors.Is(err, client.ErrUnauthorized) {
		t.Fatalf("code lookup with the API token: %v", err)
	}
	admin := newClient(t, base, client.WithAdminToken(adminToken), client.WithAPIToken("checkout"))
	if _, err := admin.Evaluate(ctx, &req); err != nil {
		t.Fatalf("admin token: %v", err)
	}
	if _, err := admin.Disable(ctx, "vouchers"); err != nil {
		t.Fatal(err)
	}
	entries, err := admin.Audit(ctx, time.Now().Add(-time.Hour), 10)
	if err != nil || len(entries) != 1 || entries[0].Action != "campaign.disable" || entries[0].Target != "vouchers" {
		t.Fatalf("audit: %+v %v", entries, err)
	}
}
