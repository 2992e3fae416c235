package wasm

import (
	"context"
	"fmt"
	"sync"
	"time"

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

	guarded  bool        // instrumented by package guard: it calls tick
	deadline deadlineCtx // the context of the current call of a guarded module
}

// instantiate makes a new instance and runs its _initialize (reactor
// modules), under Config.InitTimeout.
func (m *Module) instantiate(ctx context.Context) (*instance, error) {
	stderr := &tail{}
	cfg := wazero.NewModuleConfig().WithName("").WithStartFunctions().WithStderr(stderr)
	mod, err := m.rt.InstantiateModule(experimental.WithMemoryAllocator(ctx, linmem.Allocator()), m.compiled, cfg)
	if err != nil {
		m.host.cfg.Stats.failed(ErrTrap)
		return nil, fmt.Errorf("instantiating module %s: %s%s", m.name, firstLine(err), stderr.suffix())
	}
	in := &instance{
		mod:    mod,
		mem:    mod.ExportedMemory(abi.ExportMemory),
		alloc:  mod.ExportedFunction(abi.ExportAlloc),
		eval:   mod.ExportedFunction(abi.ExportEvaluate),
		stack:  make([]uint64, 2),
		stderr: stderr,
	}
	in.guarded = m.guarded
	if init := mod.ExportedFunction(abi.ExportInitialize); init != nil {
		if _, err := in.run(ctx, init, nil, m.host.cfg.InitTimeout); err != nil {
			in.close()
			m.host.cfg.Stats.failed(ErrTrap)
			return nil, fmt.Errorf("instantiating module %s: _initialize: %s%s", m.name, firstLine(err), stderr.suffix())
		}
	}
	m.host.cfg.Stats.instances.Add(1)
	return in, nil
}

// run calls fn with stack under a deadline; late says the deadline
// passed.
func (in *instance) run(ctx context.Context, fn api.Function, stack []uint64, timeout time.Duration) (late bool, err error) {
	if !in.guarded {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		err = fn.CallWithStack(ctx, stack)
		return ctx.Err() == context.DeadlineExceeded, err
	}
	now := time.Now()
	in.deadline = deadlineCtx{Context: ctx, at: now.Add(timeout), last: now}
	err = fn.CallWithStack(&in.deadline, stack)
	return err != nil && in.deadline.passed(time.Now()), err
}

// deadlineCtx is a context with a deadline and no timer: tick reads it.
type deadlineCtx struct {
	context.Context
	at   time.Time
	last time.Time // the previous tick
}

// maxGap is the longest time between two ticks that counts towards a
// call's deadline: a longer gap is a pause of the process (a garbage
// collector's stop, the goroutine waiting for a CPU), not the guest's own
// work, which reaches a tick every guard.Every loop iterations.
const maxGap = time.Millisecond

func (d *deadlineCtx) Deadline() (time.Time, bool) { return d.at, true }

func (d *deadlineCtx) passed(now time.Time) bool { return !now.Before(d.at) }

// tick is the host function a guarded module calls every guard.Every loop
// iterations: 1 stops it (its deadline passed or its request ended).
func tick(ctx context.Context) uint32 {
	d, ok := ctx.(*deadlineCtx)
	if !ok {
		return 0
	}
	now := time.Now()
	if gap := now.Sub(d.last); gap > maxGap {
		d.at = d.at.Add(gap - maxGap)
	}
	d.last = now
	if d.passed(now) || ctx.Err() != nil {
		return 1
	}
	return 0
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
