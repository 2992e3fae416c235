package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/bundle/bundletest"
)

// FuzzLoadTarball: whatever archive arrives, loading it never panics, and
// a bundle that loads is within its bounds; one over them is refused with
// ErrTooLarge or for its content, never loaded.
func FuzzLoadTarball(f *testing.F) {
	t := &testing.T{}
	f.Add(goodBundle.tarGz(t))
	f.Add(files{"a/data.json": `{"x": 1}`, "b/data.json": "{}", "c/data.json": "{}"}.tarGz(t))
	f.Add(bundletest.ZipBomb(2, 1))
	f.Add(goodBundle.tarGz(t)[:100])
	f.Add([]byte("not a bundle"))
	cfg := bundle.Config{Source: "fuzz", MaxBytes: 64 << 10, MaxTotalBytes: 256 << 10, MaxFiles: 16}
	f.Fuzz(func(t *testing.T, archive []byte) {
		rev, err := bundle.LoadTarball(context.Background(), cfg, bytes.NewReader(archive))
		if err != nil {
			if !errors.Is(err, bundle.ErrInvalidBundle) {
				t.Fatalf("refused without ErrInvalidBundle: %v", err)
			}
			return
		}
		if rev == nil {
			t.Fatal("no revision and no error")
		}
		if n, size, big := inflated(archive); n > cfg.MaxFiles || size > cfg.MaxTotalBytes || big > cfg.MaxBytes {
			t.Fatalf("loaded a bundle of %d files, %d bytes, one of %d: over its bounds", n, size, big)
		}
	})
}

// inflated counts an archive's regular files, their bytes and the largest.
func inflated(archive []byte) (files int, total, largest int64) {
	zr, err := gzip.NewReader(bytes.NewReader(archive))
	if err != nil {
		return 0, 0, 0
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err != nil {
			return files, total, largest
		}
		n, _ := io.Copy(io.Discard, tr)
		if h.Typeflag != tar.TypeReg {
			continue
		}
		files, total, largest = files+1, total+n, max(largest, n)
	}
}
