package bundle_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/bundle/bundletest"
)

// TestZipBombRefusedBeforeMemoryGrows: a tarball that inflates to 270 MiB
// (nine 30 MiB files, each under the per-file bound) is refused as too
// large while allocating a fraction of that, whether it can be rewound or
// not.
func TestZipBombRefusedBeforeMemoryGrows(t *testing.T) {
	bomb := bundletest.ZipBomb(9, 30)
	for name, r := range map[string]func() io.Reader{
		"seeker": func() io.Reader { return bytes.NewReader(bomb) },
		"stream": func() io.Reader { return io.MultiReader(bytes.NewReader(bomb)) },
	} {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := bundle.LoadTarball(context.Background(), bundle.Config{Source: "bomb"}, r())
			runtime.ReadMemStats(&after)
			loadError(t, err)
			if !errors.Is(err, bundle.ErrTooLarge) {
				t.Errorf("bomb refused with %v, want ErrTooLarge", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
				t.Errorf("refusing a %d KiB bomb allocated %d MiB", len(bomb)>>10, got>>20)
			}
		})
	}
}

// TestBundleBoundsOnEveryForm: the file count, one file's size and the
// total are bounded alike for a tarball, a directory and an fs.FS, and a
// bundle within them loads.
func TestBundleBoundsOnEveryForm(t *testing.T) {
	small := bundle.Config{MaxBytes: 300, MaxTotalBytes: 1000, MaxFiles: 4}
	pad := func(n int) string { return `{"x": "` + strings.Repeat("x", n) + `"}` }
	for _, tc := range []struct {
		name  string
		files files
		want  string // "" loads
	}{
		{"within", files{".manifest": `{"revision": "r"}`, "promo/a/data.json": pad(200)}, ""},
		{"too many files", files{"a/data.json": "{}", "b/data.json": "{}", "c/data.json": "{}", "d/data.json": "{}", "e/data.json": "{}"}, "more than 4 files"},
		{"a file too large", files{"a/data.json": pad(400)}, "more than the 300 a file may hold"},
		{"too large in all", files{"a/data.json": pad(280), "b/data.json": pad(280), "c/data.json": pad(280), "d/data.json": pad(280)}, "bytes uncompressed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cfg := context.Background(), small
			fsys := fstest.MapFS{}
			for name, content := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(content)}
			}
			_, errTar := bundle.LoadTarball(ctx, cfg, bytes.NewReader(tc.files.tarGz(t)))
			_, errDir := bundle.LoadPathWith(ctx, cfg, tc.files.writeDir(t))
			_, errFS := bundle.LoadFS(ctx, cfg, fsys)
			for form, err := range map[string]error{"tarball": errTar, "directory": errDir, "fs": errFS} {
				switch {
				case tc.want == "" && err != nil:
					t.Errorf("%s: %v", form, err)
				case tc.want != "" && (!errors.Is(err, bundle.ErrTooLarge) || !strings.Contains(err.Error(), tc.want)):
					t.Errorf("%s: %v, want ErrTooLarge saying %q", form, err, tc.want)
				}
			}
		})
	}
}
