// Package linmem backs wasm linear memories with their own anonymous
// memory mappings, reserved at their maximum size when an instance is made.
//
// Growing such a memory never copies it (wazero's default reallocates and
// copies the whole memory on every memory.grow, which makes a module that
// grows page by page quadratic), untouched pages cost nothing, and closing
// the instance gives the pages back to the operating system at once instead
// of leaving them to the Go garbage collector.
//
// # Caveats
//
// Only on Unix (mmap). Elsewhere Allocator returns nil and wazero's
// default is used.
package linmem
