package abi

// Names a custom module exports (docs/rules.md#rule-contract).
const (
	ExportMemory     = "memory"
	ExportAlloc      = "alloc"       // (len i32) -> ptr i32
	ExportEvaluate   = "evaluate"    // (ptr i32, len i32) -> ptr<<32 | len, i64
	ExportInitialize = "_initialize" // reactor start function, run once per instance
	// WASI is the only import module a custom module may use.
	WASI = "wasi_snapshot_preview1"
)

// Pack puts a guest pointer and length in one i64 the way evaluate returns
// them: the pointer in the high 32 bits.
func Pack(ptr, length uint32) uint64 { return uint64(ptr)<<32 | uint64(length) }

// Unpack splits evaluate's i64 result into pointer and length.
func Unpack(v uint64) (ptr, length uint32) { return uint32(v >> 32), uint32(v) }
