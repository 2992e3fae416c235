//go:build unix

package linmem

import (
	"syscall"

	"github.com/tetratelabs/wazero/experimental"
)

// Allocator reserves each linear memory at its maximum size.
func Allocator() experimental.MemoryAllocator {
	return experimental.MemoryAllocatorFunc(allocate)
}

func allocate(_, max uint64) experimental.LinearMemory {
	if max == 0 {
		max = 1 << 16
	}
	b, err := syscall.Mmap(-1, 0, int(max), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|syscall.MAP_NORESERVE)
	if err != nil {
		return &failed{}
	}
	return &mapped{buf: b}
}

// mapped is one memory mapping; its length is the memory's size.
type mapped struct{ buf []byte }

func (m *mapped) Reallocate(size uint64) []byte {
	if m.buf == nil || size > uint64(cap(m.buf)) {
		return nil
	}
	return m.buf[:size]
}

func (m *mapped) Free() {
	if m.buf != nil {
		_ = syscall.Munmap(m.buf[:cap(m.buf)])
		m.buf = nil
	}
}

// failed is a memory that could not be mapped: it cannot be given any
// size, which fails the instantiation.
type failed struct{}

func (*failed) Reallocate(uint64) []byte { return nil }
func (*failed) Free()                    {}
