package wasm

import (
	"errors"
	"fmt"
)

// Sentinel errors: what went wrong with a module, for callers and metrics
// that branch on it. A failed call wraps one of the last six in a *CallError.
var (
	// ErrImport refuses at load a module that imports anything beyond
	// WASI preview 1.
	ErrImport = errors.New("import not allowed")
	// ErrExport refuses at load a module without the rule contract's
	// exports.
	ErrExport = errors.New("missing or wrong export")
	// ErrTimeout: the call ran past its deadline.
	ErrTimeout = errors.New("deadline exceeded")
	// ErrMemory: the module ran out of its memory limit.
	ErrMemory = errors.New("out of memory")
	// ErrTrap: the module trapped (unreachable, out-of-bounds access,
	// division by zero, stack overflow...) or exited.
	ErrTrap = errors.New("trap")
	// ErrOutput: what the module returned is not a valid verdict.
	ErrOutput = errors.New("bad output")
	// ErrInput: the input is over Config.MaxInput.
	ErrInput = errors.New("input too large")
	// ErrBusy: no instance became free before the request's context ended.
	ErrBusy = errors.New("no instance available")
)

// CallError is a failed call of a module: which module, and what happened.
type CallError struct {
	Module string
	Err    error  // one of the sentinels above
	Detail string // what the module did, for rejected[].details
}

func (e *CallError) Error() string {
	return fmt.Sprintf("wasm module %s: %s", e.Module, e.Detail)
}

// Unwrap lets errors.Is match the sentinel.
func (e *CallError) Unwrap() error { return e.Err }
