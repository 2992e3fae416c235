package wasm

import (
	"context"
	"fmt"
	"sort"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/promoedge/promoedge/wasm/internal/abi"
	"github.com/promoedge/promoedge/wasm/internal/guard"
)

// Host is the wazero runtimes of one bundle's custom modules: rt runs the
// modules that package guard could instrument, safe (made when needed) the
// others, stopped at their deadline by wazero itself.
type Host struct {
	cfg     Config
	rt      wazero.Runtime
	safe    wazero.Runtime
	wasi    map[string]bool // the WASI functions a module may import
	modules map[string]*Module
	closed  atomic.Bool
	// instrument adds the deadline checks (guard.Instrument; a test makes
	// it refuse a module).
	instrument func([]byte) ([]byte, error)
}

// NewHost starts a runtime with the memory limit of cfg and WASI preview 1.
func NewHost(ctx context.Context, cfg Config) (*Host, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	rt, err := newRuntime(ctx, cfg, false)
	if err != nil {
		return nil, err
	}
	h := &Host{cfg: cfg, rt: rt, wasi: map[string]bool{}, modules: map[string]*Module{}, instrument: guard.Instrument}
	cfg.Stats.hosts.Add(1)
	for _, def := range rt.Module(wasi_snapshot_preview1.ModuleName).ExportedFunctionDefinitions() {
		for _, name := range def.ExportNames() {
			h.wasi[name] = true
		}
	}
	return h, nil
}

// newRuntime starts a runtime with WASI preview 1. closeOnDone makes
// wazero stop a call at its context's deadline, at the price of a call into
// Go at every loop iteration (see package guard).
func newRuntime(ctx context.Context, cfg Config, closeOnDone bool) (wazero.Runtime, error) {
	rc := wazero.NewRuntimeConfig().
		WithCompilationCache(cfg.Cache).
		WithCloseOnContextDone(closeOnDone).
		WithMemoryLimitPages(cfg.MemoryLimit / pageSize)
	rt := wazero.NewRuntimeWithConfig(ctx, rc)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, rt); err != nil {
		rt.Close(ctx)
		return nil, fmt.Errorf("starting WASI: %w", err)
	}
	if !closeOnDone {
		_, err := rt.NewHostModuleBuilder(guard.Module).NewFunctionBuilder().WithFunc(tick).Export(guard.Func).Instantiate(ctx)
		if err != nil {
			rt.Close(ctx)
			return nil, fmt.Errorf("starting the guard: %w", err)
		}
	}
	return rt, nil
}

// Config is the host's sandbox, defaults filled in.
func (h *Host) Config() Config { return h.cfg }

// Compile checks and compiles one module, and instantiates it once so that
// a module whose _initialize fails is refused now rather than on the first
// request. name is how errors and metrics name it.
func (h *Host) Compile(ctx context.Context, name string, bin []byte) (*Module, error) {
	rt, guarded, cm, err := h.compile(ctx, name, bin)
	if err != nil {
		return nil, err
	}
	if err := h.check(name, cm, guarded); err != nil {
		cm.Close(ctx)
		return nil, err
	}
	m := newModule(h, name, rt, guarded, cm)
	in, err := m.pool.get(ctx)
	if err != nil {
		cm.Close(ctx)
		return nil, err
	}
	m.pool.put(in)
	h.modules[name] = m
	return m, nil
}

// compile compiles bin with the deadline checks of package guard in rt,
// or as it is in the safe runtime when guard cannot instrument it.
func (h *Host) compile(ctx context.Context, name string, bin []byte) (wazero.Runtime, bool, wazero.CompiledModule, error) {
	rt, guarded, code, err := h.instrumented(ctx, bin)
	if err != nil {
		return nil, false, nil, err
	}
	cm, err := rt.CompileModule(ctx, code)
	if err != nil && guarded {
		_, err = h.rt.CompileModule(ctx, bin) // the error of the module as it was written
	}
	if err != nil {
		return nil, false, nil, fmt.Errorf("module %s is not valid WebAssembly: %w", name, err)
	}
	return rt, guarded, cm, nil
}

// instrumented is bin with guard's deadline checks and the runtime for
// it, or bin as it is and the safe runtime (started now if need be) when
// guard cannot instrument it.
func (h *Host) instrumented(ctx context.Context, bin []byte) (wazero.Runtime, bool, []byte, error) {
	code, err := h.instrument(bin)
	if err == nil {
		return h.rt, true, code, nil
	}
	if h.safe == nil {
		if h.safe, err = newRuntime(ctx, h.cfg, true); err != nil {
			return nil, false, nil, err
		}
	}
	return h.safe, false, bin, nil
}

// check refuses imports beyond WASI preview 1 and a missing export.
func (h *Host) check(name string, cm wazero.CompiledModule, guarded bool) error {
	if err := h.checkImports(name, cm, guarded); err != nil {
		return err
	}
	if _, ok := cm.ExportedMemories()[abi.ExportMemory]; !ok {
		return fmt.Errorf("module %s does not export its memory as %q: %w", name, abi.ExportMemory, ErrExport)
	}
	return checkExports(name, cm.ExportedFunctions())
}

func (h *Host) checkImports(name string, cm wazero.CompiledModule, guarded bool) error {
	for _, def := range cm.ImportedFunctions() {
		mod, fn, _ := def.Import()
		if guarded && mod == guard.Module && fn == guard.Func {
			continue // added by guard.Instrument
		}
		if mod != abi.WASI || !h.wasi[fn] {
			return fmt.Errorf("module %s imports %s.%s: %w (only WASI preview 1, %q, is)", name, mod, fn, ErrImport, abi.WASI)
		}
	}
	for _, def := range cm.ImportedMemories() {
		mod, mem, _ := def.Import()
		return fmt.Errorf("module %s imports the memory %s.%s: %w (a module exports its own memory)", name, mod, mem, ErrImport)
	}
	return nil
}

// checkExports refuses a module without alloc and evaluate, or with other
// signatures.
func checkExports(name string, fns map[string]api.FunctionDefinition) error {
	exports := [...]struct {
		name    string
		params  []api.ValueType
		results []api.ValueType
	}{
		{abi.ExportAlloc, []api.ValueType{api.ValueTypeI32}, []api.ValueType{api.ValueTypeI32}},
		{abi.ExportEvaluate, []api.ValueType{api.ValueTypeI32, api.ValueTypeI32}, []api.ValueType{api.ValueTypeI64}},
	}
	for _, w := range exports {
		def, ok := fns[w.name]
		if !ok {
			return fmt.Errorf("module %s does not export %s: %w (it needs %s)", name, w.name, ErrExport, signature(w.name, w.params, w.results))
		}
		if !sameTypes(def.ParamTypes(), w.params) || !sameTypes(def.ResultTypes(), w.results) {
			return fmt.Errorf("module %s exports %s: %w (it needs %s)", name, signature(w.name, def.ParamTypes(), def.ResultTypes()), ErrExport, signature(w.name, w.params, w.results))
		}
	}
	return nil
}

func sameTypes(a, b []api.ValueType) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func signature(name string, params, results []api.ValueType) string {
	s := name + "("
	for i, p := range params {
		if i > 0 {
			s += ", "
		}
		s += api.ValueTypeName(p)
	}
	s += ")"
	for _, r := range results {
		s += " " + api.ValueTypeName(r)
	}
	return s
}

// Module returns a compiled module by name.
func (h *Host) Module(name string) (*Module, bool) {
	m, ok := h.modules[name]
	return m, ok
}

// Modules lists the compiled modules' names, sorted.
func (h *Host) Modules() []string {
	out := make([]string, 0, len(h.modules))
	for n := range h.modules {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Close stops every instance and releases the compiled modules.
func (h *Host) Close(ctx context.Context) error {
	if h.closed.Swap(true) {
		return nil
	}
	h.cfg.Stats.hosts.Add(-1)
	for _, m := range h.modules {
		m.close(ctx)
	}
	if h.safe != nil {
		h.safe.Close(ctx)
	}
	return h.rt.Close(ctx)
}
