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

func TestServeWiresFlagsEnvAndEmbeddedBundle(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "pe.sock")
	env := map[string]string{"PROMOEDGE_SOCKET": sock, "PROMOEDGE_DATA": filepath.Join(dir, "data")}
	ctx, cancel := context.WithCancel(context.Background())
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--listen", ""}, func(k string) string { return env[k] }, io.Discard, &stderr)
	}()
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{
		DialContext: func(context.Context, string, string) (net.Conn, error) { return net.Dial("unix", sock) },
	}}
	var resp *http.Response
	var err error
	for i := 0; i < 100; i++ {
		if resp, err = client.Get("http://promoedge/ready"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("sidecar never became ready: %v\n%s", err, stderr.String())
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("ready: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if !strings.Contains(stderr.String(), "revision=examples-2026.11") {
		t.Fatalf("log: %s", stderr.String())
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
