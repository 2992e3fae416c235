package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// bundles is GET /v1/bundles of p.
func (p *inProcess) bundles(t *testing.T) map[string]any {
	t.Helper()
	resp := p.until(t, func() (*http.Response, error) { return p.client.Get("http://promoedge/v1/bundles") })
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEmbeddedBundleWarns: serving the example bundle because no bundle
// was given is a warning at the start and in GET /v1/bundles; a second
// process on the same --data is told another process holds the file.
func TestEmbeddedBundleWarns(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	p := serveInProcess(map[string]string{"PROMOEDGE_SOCKET": filepath.Join(dir, "pe.sock"), "PROMOEDGE_DATA": data})
	if w, _ := p.bundles(t)["warning"].(string); !strings.Contains(w, "EMBEDDED EXAMPLE") || !strings.Contains(w, "--bundle") {
		t.Errorf("GET /v1/bundles warning: %q", w)
	}
	var stderr strings.Builder
	err := run(context.Background(), []string{"serve", "--listen", "", "--socket", filepath.Join(dir, "2.sock"), "--data", data},
		func(string) string { return "" }, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "another process holds the file") || !strings.Contains(err.Error(), filepath.Join(data, "promoedge.db")) {
		t.Errorf("second process on the same --data: %v", err)
	}
	p.stop(t)
	if log := p.stderr.String(); !strings.Contains(log, "level=WARN") || !strings.Contains(log, "EMBEDDED EXAMPLE") {
		t.Errorf("no warning at the start: %s", log)
	}
}

// TestUnreachableBundleURLShows: GET /v1/bundles names why --bundle-url
// gave nothing (before: last_error null).
func TestUnreachableBundleURLShows(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/b.tar.gz"
	ln.Close()
	dir := t.TempDir()
	p := serveInProcess(map[string]string{"PROMOEDGE_SOCKET": filepath.Join(dir, "pe.sock"), "PROMOEDGE_DATA": filepath.Join(dir, "data"), "PROMOEDGE_BUNDLE_URL": url})
	le, _ := p.bundles(t)["last_error"].(map[string]any)
	if le == nil || le["source"] != url || !strings.Contains(toJSON(le["errors"]), "connection refused") {
		t.Errorf("last_error: %v", le)
	}
	p.stop(t)
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
