package store

import "errors"

// Sentinel errors of the file. Those of generated codes (ErrUnknownCode,
// ErrBadPattern, ErrPatternTooSmall) are the domain's, in package policies.
var (
	// ErrSchema: the file was written by a newer promoedge.
	ErrSchema = errors.New("store schema is newer than this binary")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
)
