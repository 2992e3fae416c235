//go:build !unix

package linmem

import "github.com/tetratelabs/wazero/experimental"

// Allocator is nil: wazero's default allocator is used.
func Allocator() experimental.MemoryAllocator { return nil }
