package sidecar_test

import (
	"bufio"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/valyala/fasthttp/fasthttputil"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/activation"
	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// TestBodiesRefusedBeforeReading: a body over its route's limit is
// answered from the header alone (the test sends no body at all), and a
// bundle upload without the admin token is answered 401 at any size.
func TestBodiesRefusedBeforeReading(t *testing.T) {
	e := policies.NewEngine(policies.Config{})
	cfg := sidecar.DefaultConfig()
	cfg.AdminToken, cfg.MaxBodyBytes, cfg.MaxBundleBytes = adminToken, 1<<10, 1<<20
	ln := fasthttputil.NewInmemoryListener()
	sidecartest.Serve(t, cfg, sidecar.Deps{Engine: e, Bundles: activation.New(activation.Config{}, e)}, ln)
	for _, tc := range []struct {
		name, method, path, auth string
		length, status           int
	}{
		{"evaluate over 1 KiB", "POST", "/v1/evaluate", "", 60 << 20, 413},
		{"redeem over 1 KiB", "POST", "/v1/redemptions", "", 2 << 10, 413},
		{"upload without token", "PUT", "/v1/bundles", "", 60 << 20, 401},
		{"upload with a wrong token", "PUT", "/v1/bundles", "Bearer nope", 2 << 10, 401},
		{"upload over the bundle limit", "PUT", "/v1/bundles", "Bearer " + adminToken, 2 << 20, 413},
		{"shadow upload without token", "PUT", "/v1/bundles?shadow=true", "", 60 << 20, 401},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ln.Dial()
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", tc.method, tc.path, tc.length)
			if tc.auth != "" {
				head += "Authorization: " + tc.auth + "\r\n"
			}
			if _, err := c.Write([]byte(head + "\r\n")); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatalf("no answer before the body was sent: %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
		})
	}
}
