package store

import (
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Sentinel errors of the file. Those of generated codes (ErrUnknownCode,
// ErrBadPattern, ErrPatternTooSmall) are the domain's, in package policies.
var (
	// ErrSchema: the file was written by a newer promoedge.
	ErrSchema = errors.New("store schema is newer than this binary")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
	// ErrEmpty: the file exists with no bytes (a FileError's Err).
	ErrEmpty = errors.New("file is empty")
	// ErrDamaged: a meta page or a data page is not what bbolt wrote (a
	// FileError's Err).
	ErrDamaged = errors.New("file is damaged")
	// ErrTruncated: the file is shorter than its pages (a FileError's Err).
	ErrTruncated = errors.New("file is truncated")
	// ErrLocked: another process has the file open (a second promoedge on
	// the same --data).
	ErrLocked = errors.New("another process holds the file")
)

// openError is err of opening path, saying so when another process holds
// the file: bbolt only reports that its lock timed out.
func openError(path string, err error) error {
	if errors.Is(err, bolt.ErrTimeout) {
		return fmt.Errorf("store: %s: %w (another promoedge on the same data directory?)", path, ErrLocked)
	}
	return fmt.Errorf("store: opening %s: %w", path, err)
}
