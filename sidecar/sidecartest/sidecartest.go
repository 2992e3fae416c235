package sidecartest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/valyala/fasthttp/fasthttputil"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar"
)

// Sidecar is a running sidecar and a client for it.
type Sidecar struct {
	Engine *policies.Engine
	Client *http.Client
	stop   func()
}

// Start serves engine on an in-memory listener until the test ends.
func Start(t testing.TB, engine *policies.Engine) *Sidecar {
	return StartWith(t, engine, nil, "")
}

// StartWith serves engine and state (may be nil) with an admin token.
func StartWith(t testing.TB, engine *policies.Engine, state sidecar.State, adminToken string) *Sidecar {
	return StartDeps(t, sidecar.Deps{Engine: engine, State: state}, adminToken)
}

// StartDeps serves deps with an admin token.
func StartDeps(t testing.TB, deps sidecar.Deps, adminToken string) *Sidecar {
	t.Helper()
	cfg := sidecar.DefaultConfig()
	cfg.AdminToken = adminToken
	return StartConfig(t, cfg, deps)
}

// StartConfig serves deps with cfg (its listen address unused) on an
// in-memory listener; a body limit at the default is lowered to 64 KiB.
func StartConfig(t testing.TB, cfg sidecar.Config, deps sidecar.Deps) *Sidecar {
	t.Helper()
	if cfg.MaxBodyBytes == sidecar.DefaultConfig().MaxBodyBytes {
		cfg.MaxBodyBytes = 64 << 10
	}
	ln := fasthttputil.NewInmemoryListener()
	stop := Serve(t, cfg, deps, ln)
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) { return ln.Dial() }}
	t.Cleanup(tr.CloseIdleConnections)
	return &Sidecar{Engine: deps.Engine, Client: &http.Client{Transport: tr}, stop: stop}
}

// StartTCP serves deps with an admin token on a free port of 127.0.0.1,
// for clients that need a real address (a browser), and returns its base
// URL ("http://127.0.0.1:PORT"). The Sidecar's client talks to it too.
func StartTCP(t testing.TB, deps sidecar.Deps, adminToken string) (*Sidecar, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := sidecar.DefaultConfig()
	cfg.MaxBodyBytes = 64 << 10
	cfg.AdminToken = adminToken
	stop := Serve(t, cfg, deps, ln)
	addr := ln.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &Sidecar{Engine: deps.Engine, Client: &http.Client{Transport: tr}, stop: stop}, "http://" + addr
}

// Serve serves deps with cfg on ln until the test ends (cfg's own listen
// address and socket are not opened), or until the stop it returns is
// called.
func Serve(t testing.TB, cfg sidecar.Config, deps sidecar.Deps, ln net.Listener) (stop func()) {
	t.Helper()
	srv, err := sidecar.New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// Stop shuts the sidecar down (the decision log is flushed and closed)
// before the test ends; later calls do nothing.
func (s *Sidecar) Stop() {
	s.Client.Transport.(*http.Transport).CloseIdleConnections()
	s.stop()
}

// Do sends a request and returns the status and body.
func (s *Sidecar) Do(t testing.TB, method, path string, body []byte) (int, []byte) {
	t.Helper()
	return s.DoAs(t, "", method, path, body)
}

// DoAs is Do with Authorization: Bearer token (none when "").
func (s *Sidecar) DoAs(t testing.TB, token, method, path string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, "http://sidecar"+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

// DoOversized sends only the head of a request that announces a body of
// n bytes, and returns the response (its body read) and its body. A refusal of a body
// by its length comes before the body is read, so the test needs no race
// between a client still writing it and a server that has answered and
// closed (the in-memory pipe has no buffer to absorb it).
func (s *Sidecar) DoOversized(t testing.TB, method, path string, n int) (*http.Response, []byte) {
	t.Helper()
	conn, err := s.Client.Transport.(*http.Transport).DialContext(context.Background(), "tcp", "sidecar:80")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	head := method + " " + path + " HTTP/1.1\r\nHost: sidecar\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(n) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s %s with %d bytes announced: %v", method, path, n, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, out
}

// Evaluate posts body to /v1/evaluate and decodes a 200 answer.
func (s *Sidecar) Evaluate(t testing.TB, body string) *policies.Decision {
	t.Helper()
	status, out := s.Do(t, http.MethodPost, "/v1/evaluate", []byte(body))
	if status != http.StatusOK {
		t.Fatalf("evaluate: status %d: %s", status, out)
	}
	var d policies.Decision
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("evaluate: %v: %s", err, out)
	}
	return &d
}
