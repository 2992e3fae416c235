package decisionlog_test

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/decisionlog"
)

// stuckWriter blocks every write until released, as a disk that hangs.
type stuckWriter struct {
	release chan struct{}
	mu      sync.Mutex
	buf     bytes.Buffer
}

func (w *stuckWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// A destination that hangs costs requests nothing but dropped lines, each
// counted; what was queued is written by Close.
func TestStuckDestinationDropsInsteadOfBlocking(t *testing.T) {
	w := &stuckWriter{release: make(chan struct{})}
	var dropped atomic.Int64
	cfg := decisionlog.DefaultConfig()
	cfg.Destination, cfg.Stderr, cfg.Queue, cfg.FlushInterval = "-", w, 16, time.Hour
	cfg.Dropped = func() { dropped.Add(1) }
	l, err := decisionlog.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dec := &policies.Decision{Currency: "USD", BundleRevision: "r1", Applied: []policies.Applied{{Campaign: "c1", Amount: 5}}}
	const n = 2000
	start := time.Now()
	for range n {
		l.Evaluated("", "u1", dec, time.Millisecond)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("%d lines took %v with the destination stuck", n, took)
	}
	if dropped.Load() == 0 {
		t.Fatal("nothing dropped though the destination never took a byte")
	}
	close(w.release)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	written := int64(strings.Count(w.buf.String(), "\n"))
	if written+dropped.Load() != n {
		t.Errorf("%d written + %d dropped, want %d", written, dropped.Load(), n)
	}
	if written == 0 {
		t.Error("nothing written after the destination came back")
	}
}

// With no destination there is no log, and a nil log is safe to use.
func TestNoDestinationIsNoLog(t *testing.T) {
	l, err := decisionlog.Open(decisionlog.DefaultConfig())
	if err != nil || l != nil {
		t.Fatalf("log %v, err %v", l, err)
	}
	l.Evaluated("", "u1", &policies.Decision{}, 0)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// The same salt hashes a customer the same way in two processes; the
// default random key does not.
func TestSaltMakesHashesStable(t *testing.T) {
	hash := func(salt string) string {
		var buf bytes.Buffer
		cfg := decisionlog.DefaultConfig()
		cfg.Destination, cfg.Stderr, cfg.Salt = "stderr", &buf, salt
		l, err := decisionlog.Open(cfg)
		if err != nil {
			t.Fatal(err)
		}
		l.Evaluated("", "u1", &policies.Decision{}, 0)
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(buf.String(), `"customer_hash":"`)
		h, _, _ := strings.Cut(rest, `"`)
		if !ok || len(h) != 16 || strings.Contains(buf.String(), `"u1"`) {
			t.Fatalf("line %s", buf.String())
		}
		return h
	}
	if a, b := hash("pepper"), hash("pepper"); a != b {
		t.Errorf("same salt, hashes %s and %s", a, b)
	}
	if a, b := hash(""), hash(""); a == b {
		t.Errorf("random keys gave the same hash %s", a)
	}
}
