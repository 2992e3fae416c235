// Package guard makes a wasm module stoppable at low cost. It adds to the
// module an import promoedge.tick (Module, Func), a counter global, and at
// the top of every loop a countdown: every Every iterations the loop calls
// tick, and traps (unreachable) when tick answers 1 (the host's deadline
// passed). Function indices are shifted for the new import.
//
// Why not wazero's RuntimeConfig.WithCloseOnContextDone: it calls out of
// the guest into Go at every loop iteration, which makes the C example rule
// 17 times slower (8 µs → 138 µs for a 20-line cart). A check that never
// leaves the guest (a global the host sets from a timer) is no answer
// either: a guest spinning in a loop never reaches a point where Go can
// stop it for the garbage collector, so the process would wait on it, and
// the timer goroutine that should set the global waits on the process. A
// host call every Every iterations gives Go that point at a cost of a few
// nanoseconds per iteration.
//
// # Caveats
//
// Instrument decodes every instruction of every function. A module with an
// instruction it does not know (exception handling, GC proposals) is
// refused with ErrUnknown; the host then runs it with wazero's own check.
// The module's "name" custom section is dropped (its function indices
// would be wrong). A guest blocked in a host function is not stopped, but
// the only host functions a rule module gets are WASI's, which do not
// block.
package guard
