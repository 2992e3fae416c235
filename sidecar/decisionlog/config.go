package decisionlog

import (
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// Config says where decisions are logged and which. The zero Destination
// logs nothing.
type Config struct {
	// Destination is "" (no log), "-" or "stderr" (standard error), or the
	// path of a file the lines are appended to (created 0600).
	Destination string
	// Sample is the fraction of evaluate decisions logged, from 0 to 1.
	// Redemptions and rollbacks are always logged.
	Sample float64
	// CustomerIDs logs customer ids in clear; by default they are hashed.
	CustomerIDs bool
	// Salt keys the customer id hash; "" is a random key per process, so
	// hashes match across lines of one run only. Give the same salt to
	// every node (PROMOEDGE_DECISION_LOG_SALT) to correlate across nodes
	// and restarts.
	Salt string
	// MaxBytes is the size at which a destination file is renamed aside
	// (FILE.1, the older ones shifted to FILE.2 …) and a new one started;
	// 0 never rotates.
	MaxBytes int64
	// MaxFiles is how many rotated files are kept beside the live one;
	// older ones are removed.
	MaxFiles int
	// FlushInterval is how often buffered lines are written out.
	FlushInterval time.Duration
	// Queue is how many lines may wait for the writer; more are dropped.
	Queue int
	// Dropped is called once per dropped line (a metric); nil ignores.
	Dropped func()
	// Stderr is where "-" and "stderr" write; nil is os.Stderr.
	Stderr io.Writer
}

// DefaultConfig logs nothing until given a Destination; then every
// decision, with customer ids hashed.
func DefaultConfig() Config {
	return Config{Sample: 1, FlushInterval: time.Second, Queue: 8192, MaxBytes: 100 << 20, MaxFiles: 5}
}

// ErrConfig is returned for a configuration that cannot log.
var ErrConfig = errors.New("decision log")

// Validate reports a configuration that cannot log.
func (c Config) Validate() error {
	switch {
	case math.IsNaN(c.Sample) || c.Sample < 0 || c.Sample > 1:
		return fmt.Errorf("%w: sample must be a fraction from 0 to 1, got %v", ErrConfig, c.Sample)
	case c.Destination != "" && c.FlushInterval <= 0:
		return fmt.Errorf("%w: flush interval must be positive", ErrConfig)
	case c.Destination != "" && c.Queue <= 0:
		return fmt.Errorf("%w: queue must be positive", ErrConfig)
	case c.MaxBytes < 0 || c.MaxFiles < 0:
		return fmt.Errorf("%w: the size and number of rotated files cannot be negative", ErrConfig)
	}
	return nil
}
