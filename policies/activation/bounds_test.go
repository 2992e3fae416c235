package activation

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/bundle/bundletest"
)

// TestEveryPathBoundsBundles: a bundle that inflates past the bound is
// refused as too large by every path one arrives by: an upload, a path
// (--bundle and --watch), a bundle server and the last good file.
func TestEveryPathBoundsBundles(t *testing.T) {
	bomb := bundletest.ZipBomb(3, 4) // 12 MiB inflated
	dir := t.TempDir()
	a := New(Config{Dir: dir, MaxTotalBytes: 8 << 20}, policies.NewEngine(policies.Config{}))
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "bomb.tar.gz")
	if err := os.WriteFile(file, bomb, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(a.lastGood(), bomb, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write(bomb) }))
	defer srv.Close()
	_, upload := a.Tarball(ctx, "upload", bomb)
	_, path := a.Path(ctx, file)
	_, server := a.Fetch(ctx, &Poller{URL: srv.URL, Every: time.Second})
	_, lastGood := a.RestoreLastGood(ctx)
	for name, err := range map[string]error{"upload": upload, "path": path, "bundle server": server, "last good": lastGood} {
		if !errors.Is(err, bundle.ErrTooLarge) {
			t.Errorf("%s: %v, want ErrTooLarge", name, err)
		}
	}
	if a.engine.Revision() != nil {
		t.Error("a bomb was activated")
	}
}
