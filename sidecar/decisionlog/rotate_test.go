package decisionlog_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/decisionlog"
)

// TestFileRotatesBySizeAndKeepsBoundedFiles logs far more than MaxBytes ×
// (MaxFiles+1): the directory holds the live file and MaxFiles rotated
// ones, each near MaxBytes, every line whole.
func TestFileRotatesBySizeAndKeepsBoundedFiles(t *testing.T) {
	dir := t.TempDir()
	cfg := decisionlog.DefaultConfig()
	cfg.Destination, cfg.FlushInterval = filepath.Join(dir, "decisions.log"), time.Hour
	cfg.MaxBytes, cfg.MaxFiles = 16<<10, 2
	l, err := decisionlog.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dec := &policies.Decision{Currency: "USD", BundleRevision: "r1", Applied: []policies.Applied{{Campaign: "c1", Amount: 5}}}
	for i := range 3000 {
		l.Evaluated("", "u1", dec, time.Millisecond)
		if i%500 == 0 {
			time.Sleep(10 * time.Millisecond) // let the writer keep up: no line dropped for the queue
		}
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "decisions.log*"))
	if len(files) != 3 {
		t.Fatalf("files %v, want the live one and 2 rotated", files)
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		if len(data) > int(cfg.MaxBytes) {
			t.Errorf("%s: %d bytes, more than %d", f, len(data), cfg.MaxBytes)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			if !json.Valid([]byte(line)) {
				t.Fatalf("%s: a line cut: %q", f, line)
			}
		}
	}
}
