package decisionlog

import (
	"bufio"
	"context"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"
)

// Log writes decision lines. A nil *Log logs nothing, so callers need no
// check of their own.
type Log struct {
	cfg    Config
	logger *slog.Logger
	queue  *queue
	hashes sync.Pool // of hash.Hash, keyed
}

// Open starts a log as cfg says; with no Destination it returns nil, a
// log that logs nothing.
func Open(cfg Config) (*Log, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Destination == "" {
		return nil, nil
	}
	w, closer, err := destination(cfg)
	if err != nil {
		return nil, err
	}
	key := []byte(cfg.Salt)
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := crand.Read(key); err != nil {
			return nil, fmt.Errorf("%w: a key for customer ids: %w", ErrConfig, err)
		}
	}
	if cfg.Dropped == nil {
		cfg.Dropped = func() {}
	}
	q := newQueue(w, closer, cfg)
	l := &Log{cfg: cfg, queue: q, logger: slog.New(slog.NewJSONHandler(q, nil))}
	l.hashes.New = func() any { return hmac.New(sha256.New, key) }
	return l, nil
}

func destination(cfg Config) (io.Writer, io.Closer, error) {
	switch cfg.Destination {
	case "-", "stderr":
		if cfg.Stderr != nil {
			return cfg.Stderr, nil, nil
		}
		return os.Stderr, nil, nil
	}
	r, err := openRotator(cfg.Destination, cfg.MaxBytes, cfg.MaxFiles)
	if err != nil {
		return nil, nil, err
	}
	return r, r, nil
}

// sampled reports whether to log this evaluate decision.
func (l *Log) sampled() bool {
	return l.cfg.Sample >= 1 || (l.cfg.Sample > 0 && rand.Float64() < l.cfg.Sample)
}

// customer is the attribute for a customer id: in clear, or hashed.
func (l *Log) customer(id string) slog.Attr {
	if l.cfg.CustomerIDs {
		return slog.String("customer_id", id)
	}
	h := l.hashes.Get().(hash.Hash)
	h.Reset()
	h.Write([]byte(id))
	var sum [sha256.Size]byte
	out := hex.EncodeToString(h.Sum(sum[:0])[:8])
	l.hashes.Put(h)
	return slog.String("customer_hash", out)
}

func (l *Log) write(attrs []slog.Attr) {
	l.logger.LogAttrs(context.Background(), slog.LevelInfo, "decision", attrs...)
}

// Close writes the lines still queued and closes the destination file.
func (l *Log) Close() error {
	if l == nil {
		return nil
	}
	return l.queue.close()
}

// queue hands lines from requests to the writer goroutine without
// blocking: a full queue drops the line.
type queue struct {
	lines   chan []byte
	dropped func()
	mu      sync.RWMutex // held for reading by Write, for writing by close
	closed  bool
	done    chan error
}

func newQueue(w io.Writer, closer io.Closer, cfg Config) *queue {
	q := &queue{lines: make(chan []byte, cfg.Queue), dropped: cfg.Dropped, done: make(chan error, 1)}
	go func() { q.done <- q.drain(w, closer, cfg.FlushInterval) }()
	return q
}

// Write takes one line from the slog handler (which reuses p afterwards).
func (q *queue) Write(p []byte) (int, error) {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		q.dropped()
		return len(p), nil
	}
	select {
	case q.lines <- append([]byte(nil), p...):
	default:
		q.dropped()
	}
	return len(p), nil
}

// drain writes lines through a buffer, flushed every interval and at the
// end; a line the destination refuses is counted as dropped. A file is
// rotated between two lines (rotate.go).
func (q *queue) drain(w io.Writer, closer io.Closer, every time.Duration) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	tick := time.NewTicker(every)
	defer tick.Stop()
	var firstErr error
	keep := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	for {
		select {
		case line, ok := <-q.lines:
			if !ok {
				keep(bw.Flush())
				if closer != nil {
					keep(closer.Close())
				}
				return firstErr
			}
			if r, ok := w.(*rotator); ok && r.full(bw.Buffered(), len(line)) {
				keep(bw.Flush())
				keep(r.rotate())
			}
			if _, err := bw.Write(line); err != nil {
				keep(err)
				q.dropped()
			}
		case <-tick.C:
			keep(bw.Flush())
		}
	}
}

func (q *queue) close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	close(q.lines)
	q.mu.Unlock()
	if err := <-q.done; err != nil {
		return fmt.Errorf("%w: writing: %w", ErrConfig, err)
	}
	return nil
}
