package sidecar

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/api"
)

// TestFailFleetAndReservationErrors: the answers fail chooses for the
// sentinels a fleet or a store returns and a lone sidecar's HTTP tests
// cannot provoke: try_again is 503 with Retry-After (what the client's
// ErrTryAgain reads), no reservations without a store is 503 no_store.
func TestFailFleetAndReservationErrors(t *testing.T) {
	for _, tc := range []struct {
		err        error
		status     int
		code       string
		retryAfter string
	}{
		{fmt.Errorf("%w: the referrer's code of refer", policies.ErrTryAgain), 503, "try_again", "1"},
		{fmt.Errorf("reserving: %w", policies.ErrNoReservations), 503, "no_store", ""},
	} {
		var ctx fasthttp.RequestCtx
		fail(&ctx, tc.err)
		var body api.Error
		if err := json.Unmarshal(ctx.Response.Body(), &body); err != nil {
			t.Fatalf("%v: %v %s", tc.err, err, ctx.Response.Body())
		}
		if got := ctx.Response.StatusCode(); got != tc.status || body.Error.Code != tc.code || body.Error.Message == "" ||
			string(ctx.Response.Header.Peek("Retry-After")) != tc.retryAfter {
			t.Errorf("%v: %d %s (Retry-After %q), want %d %s (Retry-After %q)", tc.err, got, ctx.Response.Body(),
				ctx.Response.Header.Peek("Retry-After"), tc.status, tc.code, tc.retryAfter)
		}
	}
}
