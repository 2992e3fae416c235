package activation

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestOverlappingUploadsKeepTheActiveRevision uploads bundles in
// overlapping pairs (as two PUT /v1/bundles at once) and checks after
// each round that the last good file is the active revision, so a
// restart brings back what was active.
func TestOverlappingUploadsKeepTheActiveRevision(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	a, _ := newActivator(t, Config{Dir: dir})
	const writers = 4
	var bundles [writers][]byte
	for i := range bundles {
		bundles[i] = simple(t, fmt.Sprint("v", i), 10)
	}
	for round := range 100 {
		var wg sync.WaitGroup
		for i := range bundles {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := a.Tarball(ctx, "upload", bundles[i]); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		kept, err := os.ReadFile(filepath.Join(dir, "last-good.tar.gz"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := newActivator(t, Config{})
		if _, err := b.Tarball(ctx, "kept", kept); err != nil {
			t.Fatal(err)
		}
		if got, want := b.Status().Active.Revision, a.Status().Active.Revision; got != want {
			t.Fatalf("round %d: last good is %s, active %s", round, got, want)
		}
	}
}

// TestOrphanedTempFilesRemovedAtStart: a crash while keeping a bundle
// leaves a temporary file; the next start removes it, and keeps the
// last good bundle.
func TestOrphanedTempFilesRemovedAtStart(t *testing.T) {
	dir := t.TempDir()
	orphan := filepath.Join(dir, "last-good-123.tmp")
	kept := filepath.Join(dir, "last-good.tar.gz")
	for _, p := range []string{orphan, kept} {
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	newActivator(t, Config{Dir: dir})
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatalf("orphan still there: %v", err)
	}
	if _, err := os.Stat(kept); err != nil {
		t.Fatalf("last good removed: %v", err)
	}
}
