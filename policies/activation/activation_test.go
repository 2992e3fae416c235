package activation

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

// tarball builds a gzipped bundle from path -> content.
func tarball(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(content))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// untar reads a gzipped bundle into path -> content.
func untar(t testing.TB, data []byte) map[string]string {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out[h.Name] = string(b)
	}
}

// simple is a valid bundle with one campaign at percent % off.
func simple(t testing.TB, revision string, percent int) []byte {
	return tarball(t, map[string]string{
		".manifest":                   fmt.Sprintf(`{"revision":%q,"roots":["promo"]}`, revision),
		"promo/campaigns/c/data.json": fmt.Sprintf(`{"rule":"r","effects":[{"type":"percent_off","percent":%d}]}`, percent),
		"promo/rules/r.rego":          "package promo.rules.r\n\neligible if count(input.cart.items) > 0\n",
	})
}

func newActivator(t testing.TB, cfg Config) (*Activator, *policies.Engine) {
	t.Helper()
	e := policies.NewEngine(policies.Config{})
	return New(cfg, e), e
}

func active(e *policies.Engine) string {
	if r := e.Revision(); r != nil {
		return r.ID
	}
	return ""
}

func TestSignaturesAsOPAMakesThem(t *testing.T) {
	signed, err := os.ReadFile("testdata/signed.tar.gz")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := os.ReadFile("testdata/public.pem")
	other, _ := os.ReadFile("testdata/other-public.pem")
	vc, err := bundle.VerificationKey(pub, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, e := newActivator(t, Config{Verification: vc, Dir: t.TempDir()})
	if _, err := a.Tarball(ctx, "opa-cli", signed); err != nil {
		t.Fatalf("bundle signed by the opa CLI refused: %v", err)
	}
	if active(e) != "signed-1" {
		t.Fatalf("active %q", active(e))
	}

	files := untar(t, signed)
	tampered := map[string]string{}
	for k, v := range files {
		tampered[k] = v
	}
	tampered["/data.json"] = strings.Replace(files["/data.json"], `"percent":10`, `"percent":90`, 1)
	unsigned := map[string]string{}
	for k, v := range files {
		if !strings.HasSuffix(k, ".signatures.json") {
			unsigned[k] = v
		}
	}
	otherVC, _ := bundle.VerificationKey(other, "")
	wrongKey, _ := newActivator(t, Config{Verification: otherVC})
	for name, tc := range map[string]struct {
		a    *Activator
		data []byte
		want string
	}{
		"tampered file":     {a, tarball(t, tampered), "digest mismatch"},
		"missing signature": {a, tarball(t, unsigned), "missing .signatures.json"},
		"wrong key":         {wrongKey, signed, "verification"},
	} {
		_, err := tc.a.Tarball(ctx, name, tc.data)
		if err == nil || !strings.Contains(strings.ToLower(err.Error()), tc.want) {
			t.Errorf("%s: %v, want an error about %q", name, err, tc.want)
		}
		if st := tc.a.Status(); st.LastError == nil || st.LastError.Source != name || len(st.LastError.Errors) == 0 {
			t.Errorf("%s: last error %+v", name, st.LastError)
		}
	}
	if active(e) != "signed-1" {
		t.Fatalf("a refused bundle replaced the active one: %q", active(e))
	}
	// Without a verification key, signatures are not required.
	plain, pe := newActivator(t, Config{})
	if _, err := plain.Tarball(ctx, "x", tarball(t, unsigned)); err != nil || active(pe) != "signed-1" {
		t.Fatalf("unsigned without a key: %v", err)
	}
}

func TestRefusedBundleKeepsTheLastGood(t *testing.T) {
	ctx := context.Background()
	a, e := newActivator(t, Config{})
	if _, err := a.Tarball(ctx, "good", simple(t, "v1", 10)); err != nil {
		t.Fatal(err)
	}
	bad := tarball(t, map[string]string{
		".manifest":                   `{"revision":"v2"}`,
		"promo/campaigns/c/data.json": `{"rule":"nope","effects":[{"type":"percent_of","percent":120}]}`,
		"promo/rules/r.rego":          "package promo.rules.r\n\neligible if {",
	})
	_, err := a.Tarball(ctx, "bad", bad)
	var le *bundle.LoadError
	if !errors.As(err, &le) || active(e) != "v1" {
		t.Fatalf("bad bundle: %v, active %s", err, active(e))
	}
	st := a.Status()
	if st.Active.Revision != "v1" || len(st.History) != 1 || st.LastError.Source != "bad" {
		t.Fatalf("status %+v", st)
	}
	if _, err := a.Tarball(ctx, "not a tarball", []byte("hello")); err == nil || active(e) != "v1" {
		t.Fatalf("garbage: %v", err)
	}
}

func TestLastGoodSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, _ := newActivator(t, Config{Dir: dir})
	if _, err := a.RestoreLastGood(ctx); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("nothing kept yet: %v", err)
	}
	a.Tarball(ctx, "good", simple(t, "v7", 10))
	a.Tarball(ctx, "bad", []byte("garbage")) // refused: not kept
	b, e := newActivator(t, Config{Dir: dir})
	if act, err := b.RestoreLastGood(ctx); err != nil || act.Revision != "v7" || active(e) != "v7" {
		t.Fatalf("restore: %+v %v", act, err)
	}
}

// bundleServer serves the bundle set by set() with an ETag, answering 304
// to If-None-Match, and fails while down is set.
type bundleServer struct {
	mu   sync.Mutex
	data []byte
	etag string
	down atomic.Bool
	gets atomic.Int64
	not  atomic.Int64
	*httptest.Server
}

func newBundleServer(t *testing.T) *bundleServer {
	s := &bundleServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		s.mu.Lock()
		data, etag := s.data, s.etag
		s.mu.Unlock()
		s.gets.Add(1)
		if r.Header.Get("If-None-Match") == etag {
			s.not.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *bundleServer) set(data []byte, etag string) {
	s.mu.Lock()
	s.data, s.etag = data, etag
	s.mu.Unlock()
}

func TestBundleServerPolling(t *testing.T) {
	ctx := context.Background()
	srv := newBundleServer(t)
	srv.set(simple(t, "v1", 10), `"e1"`)
	a, e := newActivator(t, Config{Dir: t.TempDir()})
	p := &Poller{URL: srv.URL, Every: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	if _, err := a.Fetch(ctx, p); err != nil || active(e) != "v1" {
		t.Fatalf("first fetch: %v", err)
	}
	if _, err := a.Fetch(ctx, p); !errors.Is(err, ErrNotModified) {
		t.Fatalf("same etag: %v", err)
	}
	srv.set([]byte("broken"), `"e2"`)
	if _, err := a.Fetch(ctx, p); !errors.As(err, new(*RefusedError)) || active(e) != "v1" {
		t.Fatalf("broken bundle: %v, active %s", err, active(e))
	}
	if _, err := a.Fetch(ctx, p); !errors.Is(err, ErrNotModified) {
		t.Fatalf("a refused bundle is not fetched again: %v", err)
	}
	srv.down.Store(true)
	if _, err := a.Fetch(ctx, p); err == nil || errors.As(err, new(*RefusedError)) || active(e) != "v1" {
		t.Fatalf("server down: %v", err)
	}
	// Polling picks up the next bundle once the server is back.
	pctx, cancel := context.WithCancel(ctx)
	polled := make(chan struct{})
	defer func() { cancel(); <-polled }() // before TempDir's cleanup
	go func() { a.Poll(pctx, p); close(polled) }()
	srv.set(simple(t, "v3", 30), `"e3"`)
	srv.down.Store(false)
	waitFor(t, func() bool { return active(e) == "v3" })
}

func TestWatchReloadsAChangedDirectory(t *testing.T) {
	dir := t.TempDir()
	write := func(rev string, pct int) {
		for name, content := range untar(t, simple(t, rev, pct)) {
			p := filepath.Join(dir, name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	write("w1", 10)
	ctx, cancel := context.WithCancel(context.Background())
	watched := make(chan struct{})
	defer func() { cancel(); <-watched }()
	a, e := newActivator(t, Config{})
	if _, err := a.Path(ctx, dir); err != nil {
		t.Fatal(err)
	}
	go func() { a.Watch(ctx, dir, 20*time.Millisecond); close(watched) }()
	time.Sleep(50 * time.Millisecond)
	write("w2", 20)
	waitFor(t, func() bool { return active(e) == "w2" })
	// A broken edit is refused; the last good keeps serving.
	os.WriteFile(filepath.Join(dir, "promo/rules/r.rego"), []byte("package promo.rules.r\n\neligible if {"), 0o644)
	waitFor(t, func() bool { st := a.Status(); return st.LastError != nil })
	if active(e) != "w2" {
		t.Fatalf("active %s after a broken edit", active(e))
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 500; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("condition never held")
}
