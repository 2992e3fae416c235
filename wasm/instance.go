package wasm

import (
	"context"
	"fmt"
	"sync"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/promoedge/promoedge/wasm/internal/abi"
	"github.com/promoedge/promoedge/wasm/internal/linmem"
)

// instance is one instantiated module, used by one call at a time.
type instance struct {
	mod    api.Module
	mem    api.Memory
	alloc  api.Function
	eval   api.Function
	stack  []uint64
	stderr *tail
}

// instantiate makes a new instance and runs its _initialize (reactor
// modules), under Config.InitTimeout.
func (m *Module) instantiate(ctx context.Context) (*instance, error) {
	ctx, cancel := context.WithTimeout(ctx, m.host.cfg.InitTimeout)
	defer cancel()
	ctx = experimental.WithMemoryAllocator(ctx, linmem.Allocator())
	stderr := &tail{}
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithStartFunctions(abi.ExportInitialize).
		WithStderr(stderr)
	mod, err := m.host.rt.InstantiateModule(ctx, m.compiled, cfg)
	if err != nil {
		stats.failed(ErrTrap)
		return nil, fmt.Errorf("instantiating module %s: %s%s", m.name, firstLine(err), stderr.suffix())
	}
	stats.instances.Add(1)
	return &instance{
		mod:    mod,
		mem:    mod.ExportedMemory(abi.ExportMemory),
		alloc:  mod.ExportedFunction(abi.ExportAlloc),
		eval:   mod.ExportedFunction(abi.ExportEvaluate),
		stack:  make([]uint64, 2),
		stderr: stderr,
	}, nil
}

func (in *instance) close() { in.mod.Close(context.Background()) }

// tail keeps the last bytes a module wrote to stderr (a Go panic, an
// assertion), to explain its failure.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

const tailMax = 512

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := len(p)
	if len(p) > tailMax {
		p = p[len(p)-tailMax:]
	}
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailMax {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailMax:]...)
	}
	return n, nil
}

func (t *tail) reset() {
	t.mu.Lock()
	t.buf = t.buf[:0]
	t.mu.Unlock()
}

// suffix is "; stderr: ..." or "" when the module wrote nothing.
func (t *tail) suffix() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.buf) == 0 {
		return ""
	}
	return fmt.Sprintf("; stderr: %q", t.buf)
}
