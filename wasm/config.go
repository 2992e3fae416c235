package wasm

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/tetratelabs/wazero"
)

// Config bounds what a custom module may use, and hands a host the
// compilation cache and the counters it shares with others. The zero value
// of a field means its default (DefaultConfig): no cache, no counting.
type Config struct {
	// Timeout is how long one evaluate call may run before the instance is
	// stopped and the campaign rejected with "error". A campaign's
	// wasm_timeout_ms overrides it. Default 5ms.
	Timeout time.Duration
	// InitTimeout bounds instantiating a module, its _initialize included.
	// Default 1s.
	InitTimeout time.Duration
	// MemoryLimit caps one instance's linear memory, in bytes (a multiple
	// of the 64 KiB wasm page). Default 16 MiB.
	MemoryLimit uint32
	// MaxInput bounds the JSON input of one call, in bytes; a larger input
	// rejects the campaign with "error" without calling the module.
	// Default 1 MiB.
	MaxInput int
	// MaxOutput bounds the JSON a module may return, in bytes. Default
	// 1 MiB.
	MaxOutput int
	// Instances bounds the pool of instances of one module: at most this
	// many calls of the module run at once, the others wait for an
	// instance. Default GOMAXPROCS.
	Instances int
	// Cache keeps the machine code of compiled modules. Hosts that share
	// one (NewCache) compile a module loaded again, by a reload of the
	// same bundle, only once while a revision still uses it; nil compiles
	// every module anew.
	Cache wazero.CompilationCache
	// Stats counts the calls, instances and failures of the host's
	// modules; nil counts them nowhere.
	Stats *Stats
}

// NewCache returns a compilation cache for Config.Cache, to share across
// the hosts of successive revisions.
func NewCache() wazero.CompilationCache { return wazero.NewCompilationCache() }

// Defaults and bounds of Config.
const (
	DefaultTimeout     = 5 * time.Millisecond
	DefaultInitTimeout = time.Second
	DefaultMemoryLimit = 16 << 20
	DefaultMaxInput    = 1 << 20
	DefaultMaxOutput   = 1 << 20
	// MaxTimeout bounds Timeout and a campaign's wasm_timeout_ms.
	MaxTimeout = time.Second
	pageSize   = 65536
)

// DefaultConfig is the sandbox a module gets unless told otherwise.
func DefaultConfig() Config {
	return Config{
		Timeout:     DefaultTimeout,
		InitTimeout: DefaultInitTimeout,
		MemoryLimit: DefaultMemoryLimit,
		MaxInput:    DefaultMaxInput,
		MaxOutput:   DefaultMaxOutput,
		Instances:   runtime.GOMAXPROCS(0),
	}
}

// withDefaults fills the zero fields of c.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Timeout == 0 {
		c.Timeout = d.Timeout
	}
	if c.InitTimeout == 0 {
		c.InitTimeout = d.InitTimeout
	}
	if c.MemoryLimit == 0 {
		c.MemoryLimit = d.MemoryLimit
	}
	if c.MaxInput == 0 {
		c.MaxInput = d.MaxInput
	}
	if c.MaxOutput == 0 {
		c.MaxOutput = d.MaxOutput
	}
	if c.Instances == 0 {
		c.Instances = d.Instances
	}
	if c.Stats == nil {
		c.Stats = new(Stats)
	}
	return c
}

// Validate reports a config that cannot be used.
func (c Config) Validate() error {
	var errs []error
	if c.Timeout < 0 || c.Timeout > MaxTimeout {
		errs = append(errs, fmt.Errorf("wasm timeout must be from 0 to %s, got %s", MaxTimeout, c.Timeout))
	}
	if c.InitTimeout < 0 {
		errs = append(errs, fmt.Errorf("wasm init timeout must not be negative, got %s", c.InitTimeout))
	}
	if c.MemoryLimit%pageSize != 0 {
		errs = append(errs, fmt.Errorf("wasm memory limit must be a multiple of 64 KiB, got %d", c.MemoryLimit))
	}
	if c.MaxInput < 0 || c.MaxOutput < 0 || c.Instances < 0 {
		errs = append(errs, errors.New("wasm input, output and instance limits must not be negative"))
	}
	return errors.Join(errs...)
}
