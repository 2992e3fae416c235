package wasm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/sys"

	"github.com/promoedge/promoedge/wasm/internal/abi"
)

// Module is one compiled custom module with its pool of instances.
type Module struct {
	name     string
	host     *Host
	rt       wazero.Runtime // the host's guarded or safe runtime
	guarded  bool           // instrumented by package guard
	compiled wazero.CompiledModule
	pool     *pool
}

func newModule(h *Host, name string, rt wazero.Runtime, guarded bool, cm wazero.CompiledModule) *Module {
	m := &Module{name: name, host: h, rt: rt, guarded: guarded, compiled: cm}
	m.pool = newPool(h.cfg.Instances, m.instantiate)
	return m
}

// Name is the module's name in the bundle (promo/wasm/<name>.wasm).
func (m *Module) Name() string { return m.name }

// Live is how many instances of the module exist now.
func (m *Module) Live() int { return m.pool.live() }

// Call runs evaluate on input with an instance from the pool and returns a
// copy of what the module answered. timeout 0 is the host's default. A
// failure is a *CallError; the instance it happened in is closed.
func (m *Module) Call(ctx context.Context, input []byte, timeout time.Duration) ([]byte, error) {
	m.host.cfg.Stats.calls.Add(1)
	if len(input) > m.host.cfg.MaxInput {
		return nil, m.fail(ErrInput, fmt.Sprintf("input is %d bytes, over the limit of %d", len(input), m.host.cfg.MaxInput))
	}
	in, err := m.pool.get(ctx)
	if err != nil {
		return nil, m.fail(ErrBusy, err.Error())
	}
	if timeout == 0 {
		timeout = m.host.cfg.Timeout
	}
	out, err := m.call(ctx, in, input, timeout)
	if err != nil && (in.mod.IsClosed() || errors.Is(err, ErrTrap) || errors.Is(err, ErrMemory) || errors.Is(err, ErrTimeout)) {
		m.pool.discard(in)
		m.host.cfg.Stats.recycled.Add(1)
	} else {
		m.pool.put(in)
	}
	return out, err
}

func (m *Module) call(ctx context.Context, in *instance, input []byte, timeout time.Duration) ([]byte, error) {
	in.stderr.reset()
	in.stack[0] = uint64(len(input))
	if late, err := in.run(ctx, in.alloc, in.stack[:1:2], timeout); err != nil {
		return nil, m.trap(in, "alloc", err, late, timeout)
	}
	ptr := uint32(in.stack[0])
	if !in.mem.Write(ptr, input) {
		return nil, m.fail(ErrTrap, fmt.Sprintf("alloc(%d) returned %d, outside its %d-byte memory", len(input), ptr, in.mem.Size()))
	}
	in.stack[0], in.stack[1] = uint64(ptr), uint64(len(input))
	if late, err := in.run(ctx, in.eval, in.stack[:2], timeout); err != nil {
		return nil, m.trap(in, "evaluate", err, late, timeout)
	}
	optr, olen := abi.Unpack(in.stack[0])
	if int(olen) > m.host.cfg.MaxOutput {
		return nil, m.fail(ErrOutput, fmt.Sprintf("returned %d bytes, over the limit of %d", olen, m.host.cfg.MaxOutput))
	}
	view, ok := in.mem.Read(optr, olen)
	if !ok {
		return nil, m.fail(ErrOutput, fmt.Sprintf("returned %d bytes at %d, outside its %d-byte memory", olen, optr, in.mem.Size()))
	}
	return append([]byte(nil), view...), nil
}

// trap explains a failed call: deadline, memory, exit or trap.
func (m *Module) trap(in *instance, fn string, err error, late bool, timeout time.Duration) error {
	var exit *sys.ExitError
	switch {
	case late || errors.As(err, &exit) && exit.ExitCode() == sys.ExitCodeDeadlineExceeded:
		return m.fail(ErrTimeout, fmt.Sprintf("stopped: %s ran past its %s deadline", fn, timeout))
	case errors.As(err, &exit) && exit.ExitCode() == sys.ExitCodeContextCanceled:
		return m.fail(ErrTimeout, fmt.Sprintf("stopped: the request was canceled during %s", fn))
	case in.mem.Size()+pageSize > m.host.cfg.MemoryLimit:
		return m.fail(ErrMemory, fmt.Sprintf("%s ran out of memory (limit %d MiB): %s%s", fn, m.host.cfg.MemoryLimit>>20, firstLine(err), in.stderr.suffix()))
	case errors.As(err, &exit):
		return m.fail(ErrTrap, fmt.Sprintf("%s exited with code %d%s", fn, exit.ExitCode(), in.stderr.suffix()))
	}
	return m.fail(ErrTrap, fmt.Sprintf("%s trapped: %s%s", fn, firstLine(err), in.stderr.suffix()))
}

func (m *Module) fail(kind error, detail string) *CallError {
	m.host.cfg.Stats.failed(kind)
	return &CallError{Module: m.name, Err: kind, Detail: detail}
}

// firstLine is a wazero error without its wasm stack trace.
func firstLine(err error) string {
	s := err.Error()
	for i := range len(s) {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	return s
}

func (m *Module) close(ctx context.Context) {
	m.pool.close()
	m.compiled.Close(ctx)
}
