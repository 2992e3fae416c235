package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// inProcess is `promoedge serve` run in the test's process on a unix
// socket, with the environment env (PROMOEDGE_SOCKET must be in it).
type inProcess struct {
	client *http.Client
	stderr *bytes.Buffer
	cancel context.CancelFunc
	done   chan error
}

func serveInProcess(env map[string]string) *inProcess {
	ctx, cancel := context.WithCancel(context.Background())
	p := &inProcess{stderr: &bytes.Buffer{}, cancel: cancel, done: make(chan error, 1)}
	go func() {
		p.done <- run(ctx, []string{"serve", "--listen", ""}, func(k string) string { return env[k] }, io.Discard, p.stderr)
	}()
	sock := env["PROMOEDGE_SOCKET"]
	p.client = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) { return net.Dial("unix", sock) },
	}}
	return p
}

// until calls req every 50 ms until it does not fail (5 s at most).
func (p *inProcess) until(t *testing.T, req func() (*http.Response, error)) *http.Response {
	t.Helper()
	var resp *http.Response
	var err error
	for range 100 {
		if resp, err = req(); err == nil {
			return resp
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("sidecar never answered: %v\n%s", err, p.stderr.String())
	return nil
}

// stop ends serve and fails the test if it returned an error.
func (p *inProcess) stop(t *testing.T) {
	t.Helper()
	p.cancel()
	if err := <-p.done; err != nil {
		t.Fatalf("run: %v", err)
	}
}

func TestServeWiresFlagsEnvAndEmbeddedBundle(t *testing.T) {
	dir := t.TempDir()
	p := serveInProcess(map[string]string{"PROMOEDGE_SOCKET": filepath.Join(dir, "pe.sock"), "PROMOEDGE_DATA": filepath.Join(dir, "data")})
	resp := p.until(t, func() (*http.Response, error) { return p.client.Get("http://promoedge/ready") })
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("ready: %d", resp.StatusCode)
	}
	p.stop(t)
	if !strings.Contains(p.stderr.String(), "revision=examples-2026.11") {
		t.Fatalf("log: %s", p.stderr.String())
	}
}

func TestServeRefusesBadConfig(t *testing.T) {
	data := t.TempDir()
	noenv := func(k string) string {
		if k == "PROMOEDGE_DATA" {
			return data
		}
		return ""
	}
	for _, args := range [][]string{
		{"serve", "--listen", ""},
		{"serve", "--bundle", "/does/not/exist", "--listen", "127.0.0.1:0"},
		{"serve", "--watch"},
		{"serve", "--max-bundle", "0"},
		{"serve", "--rule-timeout", "0s"},
		{"nonsense"},
	} {
		err := run(context.Background(), args, noenv, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	err := run(context.Background(), []string{"serve", "--max-body", "x"}, noenv, io.Discard, io.Discard)
	if !errors.Is(err, errUsage) {
		t.Errorf("bad flag: %v", err)
	}
	err = run(context.Background(), []string{"serve"}, func(k string) string {
		if k == "PROMOEDGE_MAX_BODY" {
			return "lots"
		}
		return ""
	}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "PROMOEDGE_MAX_BODY") {
		t.Errorf("bad env: %v", err)
	}
}

// A restart with an unreachable bundle server serves the last good bundle
// the server gave before.
func TestRestartWithUnreachableBundleServer(t *testing.T) {
	dir := t.TempDir()
	bundleTar := sidecartest.ExampleTarball(t, "")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"1"`)
		w.Write(bundleTar)
	}))
	start := func(url string) (func(), *http.Client) {
		sock := filepath.Join(dir, "pe.sock")
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--listen", "", "--socket", sock, "--data", filepath.Join(dir, "data"), "--bundle-url", url},
				func(string) string { return "" }, io.Discard, io.Discard)
		}()
		c := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
			DialContext: func(context.Context, string, string) (net.Conn, error) { return net.Dial("unix", sock) },
		}}
		return func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run: %v", err)
			}
		}, c
	}
	readyRevision := func(c *http.Client) string {
		for i := 0; i < 200; i++ {
			if resp, err := c.Get("http://promoedge/ready"); err == nil {
				var body struct {
					Revision string `json:"bundle_revision"`
				}
				json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return body.Revision
				}
			}
			time.Sleep(25 * time.Millisecond)
		}
		return ""
	}
	stop, c := start(srv.URL)
	if rev := readyRevision(c); rev != "examples-2026.11" {
		t.Fatalf("from the server: %q", rev)
	}
	stop()
	url := srv.URL
	srv.Close()
	stop, c = start(url)
	defer stop()
	if rev := readyRevision(c); rev != "examples-2026.11" {
		t.Fatalf("after a restart without the server: %q", rev)
	}
}
