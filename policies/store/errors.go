package store

import "errors"

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
)
