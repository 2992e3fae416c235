// Package abi is the boundary between the host and a custom rule module:
// the names a module exports, how a result pointer and length travel in one
// i64, how the input document is put together, and how the module's JSON
// answer becomes a policies.Verdict.
//
// # Caveats
//
// Everything a module returns is outside input: Verdict never trusts it
// (a missing or non-boolean "eligible", a non-array "reasons" or invalid
// effects are errors, not defaults), and it is fuzzed.
package abi
