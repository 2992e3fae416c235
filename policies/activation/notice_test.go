package activation

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies/bundle"
)

// TestUnreachableBundleServerIsTheLastError: a bundle server that cannot
// be reached, or answers an error, shows in Status().LastError (before:
// last_error stayed null).
func TestUnreachableBundleServerIsTheLastError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/bundle.tar.gz"
	ln.Close() // nothing listens there now
	a, _ := newActivator(t, Config{Dir: t.TempDir()})
	if _, err := a.Fetch(context.Background(), &Poller{URL: url, Every: time.Second}); err == nil {
		t.Fatal("fetched from nothing")
	}
	le := a.Status().LastError
	if le == nil || le.Source != url || len(le.Errors) != 1 || !strings.Contains(le.Errors[0], "connection refused") || le.At.IsZero() {
		t.Fatalf("last error: %+v", le)
	}
	srv := newBundleServer(t)
	srv.down.Store(true)
	a.Fetch(context.Background(), &Poller{URL: srv.URL})
	if le := a.Status().LastError; le == nil || le.Source != srv.URL || !strings.Contains(le.Errors[0], "answered") {
		t.Fatalf("server answering an error: %+v", le)
	}
}

// TestFallbackWarns: the fallback bundle carries a warning until another
// bundle is activated.
func TestFallbackWarns(t *testing.T) {
	a, _ := newActivator(t, Config{Dir: t.TempDir()})
	rev, err := bundle.LoadTarball(context.Background(), bundle.Config{Source: "embedded"}, strings.NewReader(string(simple(t, "example", 10))))
	if err != nil {
		t.Fatal(err)
	}
	a.Fallback(rev, "serving the example")
	if st := a.Status(); st.Warning != "serving the example" || st.Active == nil || st.Active.Revision != "example" {
		t.Fatalf("status: %+v", st)
	}
	if _, err := a.Tarball(context.Background(), "upload", simple(t, "v2", 20)); err != nil {
		t.Fatal(err)
	}
	if w := a.Status().Warning; w != "" {
		t.Fatalf("warning after an upload: %q", w)
	}
}
