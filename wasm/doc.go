// Package wasm decides campaigns with custom WebAssembly rule modules on
// wazero (docs/rules.md#rule-contract): promo/wasm/<module>.wasm, in any
// language, exporting memory, alloc(i32) i32 and evaluate(i32, i32) i64
// (Evaluator). The module gets the rule input as JSON and returns
// {"eligible": bool, "reasons": [...], "effects": [...]}. (Rego rules
// compiled by `opa build -t wasm` are Rego's: policies/rego's
// CompiledEvaluator runs them.)
//
// A Host compiles every custom module of a bundle once, refusing at load a
// module that imports anything beyond WASI preview 1 or lacks an export,
// and keeps a bounded pool of instances per module that requests reuse.
// Each call runs under a deadline (Config.Timeout, or the campaign's
// wasm_timeout_ms) and a memory cap; an instance that traps, runs out of
// time or memory, or exits is closed and replaced. Any failure rejects only
// that campaign, with reason "error" and a detail saying what happened, and
// is counted in the host's Stats (Config.Stats, which the sidecar exports
// at GET /metrics).
//
// What a module may do: it runs with WASI preview 1 and nothing else, and
// WASI grants no file system (no preopened directory), no network, no
// environment variables or arguments, an empty stdin and a discarded
// stdout; the clocks are wazero's fixed fake clocks (rules read the time
// from input.context.now), sleeping returns at once and random bytes are
// deterministic. The last bytes a module writes to stderr are kept to
// explain its failures.
//
// # Caveats
//
// A module's linear memory never shrinks: an instance keeps the high-water
// mark of its memory (at most Config.MemoryLimit) until it is recycled, so
// a pool holds at most Config.Instances × MemoryLimit per module.
//
// The deadline is checked in the guest's loops (internal/guard adds a
// countdown that calls the host every 1024 iterations); a call without
// loops always ends. Pauses of the process longer than 1 ms between two
// checks are not counted. A host function is not interrupted, but the only
// host functions are WASI's, none of which block.
//
// The compiled machine code of a module lives in the wazero compilation
// cache of Config.Cache, which cmd shares across revisions: loading the
// same module again (a reload that changed only data) does not compile it
// again. It is released when no revision uses the module any more. The
// package keeps no state of its own: the cache and the counters are
// values handed in.
package wasm
