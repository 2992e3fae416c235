package store

import "errors"

// Sentinel errors.
var (
	// ErrSchema: the file was written by a newer promoedge.
	ErrSchema = errors.New("store schema is newer than this binary")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
	// ErrUnknownCode: no generated code has that value.
	ErrUnknownCode = errors.New("unknown code")
	// ErrPatternTooSmall: the pattern cannot hold that many codes.
	ErrPatternTooSmall = errors.New("code pattern space too small")
	// ErrBadPattern: a pattern or prefix that cannot make codes.
	ErrBadPattern = errors.New("invalid code pattern")
)
