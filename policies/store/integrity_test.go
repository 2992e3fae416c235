package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// filled writes a store file with some redemptions and returns its path.
func filled(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "promoedge.db")
	s := open(t, path)
	a := policies.RedeemedCampaign{Campaign: "a", Amount: 10, Limits: policies.Limits{Redemptions: 500}}
	for i := range 200 {
		id := fmt.Sprint("r", i)
		if _, _, _, err := s.Commit(context.Background(), redemption(id, "k"+id, "u"+id, a)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// inUse is the bytes of path's pages in use (the file is longer).
func inUse(t *testing.T, path string) int64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	_ = db.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}

// openBroken opens path and wants a FileError naming it with want, the
// file left as it was.
func openBroken(t *testing.T, path string, want error) {
	t.Helper()
	before, _ := os.ReadFile(path)
	s, err := Open(Config{Path: path})
	if err == nil {
		s.Close()
		t.Fatalf("opened a broken file")
	}
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, want) || !strings.Contains(err.Error(), path) {
		t.Fatalf("want a FileError %v naming %s, got %v", want, path, err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatalf("the broken file was changed")
	}
}

func TestOpenRefusesAnEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "promoedge.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	openBroken(t, path, ErrEmpty)
}

func TestOpenRefusesATruncatedFile(t *testing.T) {
	path := filled(t)
	if err := os.Truncate(path, inUse(t, path)/2); err != nil {
		t.Fatal(err)
	}
	openBroken(t, path, ErrTruncated)
}

func TestOpenRefusesDamagedMetaPages(t *testing.T) {
	path := filled(t)
	f, _ := os.OpenFile(path, os.O_RDWR, 0)
	page := int64(os.Getpagesize())
	for _, off := range []int64{16, page + 16} { // both meta pages' magic
		_, _ = f.WriteAt([]byte{0xde, 0xad, 0xbe, 0xef}, off)
	}
	f.Close()
	openBroken(t, path, ErrDamaged)
}

// TestOpenNeverPanicsOnADamagedPage flips bytes in each data page in
// turn: every open either succeeds (a page not in use) or refuses with a
// FileError, never panics or faults.
func TestOpenNeverPanicsOnADamagedPage(t *testing.T) {
	path := filled(t)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	page, pages := os.Getpagesize(), int(inUse(t, path))/os.Getpagesize()
	refused := 0
	for p := 2; p < pages; p++ {
		data := append([]byte(nil), orig...)
		for i := p*page + 8; i < p*page+64 && i < len(data); i++ {
			data[i] ^= 0xa5
		}
		path := filepath.Join(t.TempDir(), "promoedge.db")
		_ = os.WriteFile(path, data, 0o600)
		s, err := Open(Config{Path: path})
		var fe *FileError
		switch {
		case err == nil:
			s.Close()
		case errors.As(err, &fe) && errors.Is(err, ErrDamaged):
			refused++
		default:
			t.Fatalf("page %d: %v", p, err)
		}
	}
	if refused == 0 {
		t.Fatal("no damaged page was noticed")
	}
	t.Logf("%d of %d damaged pages refused", refused, pages-2)
}

func TestProbeWrites(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	if err := s.Probe(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Probe(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed store probed: %v", err)
	}
}
