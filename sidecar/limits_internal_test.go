package sidecar

import (
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// TestStreamWriteTimeout: an admin's streamed answers get the stream
// write timeout, every other request the server's; a request without the
// admin token never does.
func TestStreamWriteTimeout(t *testing.T) {
	s := &Server{cfg: DefaultConfig()}
	s.cfg.AdminToken = "tok"
	for _, tc := range []struct {
		method, uri, token string
		want               time.Duration
	}{
		{"POST", "/v1/campaigns/vouchers/codes", "tok", 30 * time.Minute},
		{"GET", "/v1/redemptions?format=csv", "tok", 30 * time.Minute},
		{"GET", "/v1/backup", "tok", 30 * time.Minute},
		{"GET", "/v1/wallets/u-1/transactions?format=ndjson", "tok", 30 * time.Minute},
		{"POST", "/v1/campaigns/vouchers/codes", "", 0},
		{"POST", "/v1/campaigns/vouchers/codes", "other", 0},
		{"POST", "/v1/evaluate", "tok", 0},
		{"GET", "/v1/wallets/u-1", "tok", 0},
		{"GET", "/v1/campaigns/vouchers/codes", "tok", 0},
	} {
		var h fasthttp.RequestHeader
		h.SetMethod(tc.method)
		h.SetRequestURI(tc.uri)
		if tc.token != "" {
			h.Set("Authorization", "Bearer "+tc.token)
		}
		if got := s.bodyLimit(&h).WriteTimeout; got != tc.want {
			t.Errorf("%s %s (token %q): write timeout %v, want %v", tc.method, tc.uri, tc.token, got, tc.want)
		}
	}
}
