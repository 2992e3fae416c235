package activation

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/wasm"
)

// Config wires an Activator.
type Config struct {
	// Dir keeps the last good tarball bundle; "" keeps none.
	Dir string
	// Verification requires signed bundles; nil accepts unsigned ones.
	Verification *opabundle.VerificationConfig
	// MaxBytes bounds one bundle file, MaxTotalBytes a bundle's files
	// together (uncompressed, and a download compressed), MaxFiles their
	// number, on every path a bundle comes by; 0 is the bundle package's
	// default.
	MaxBytes      int64
	MaxTotalBytes int64
	MaxFiles      int
	// RuleLimits bound each evaluation of a bundle's Rego rules.
	RuleLimits bundle.RuleLimits
	// Endpoints are the webhook endpoints' names (--webhook NAME=URL): a
	// trigger's webhook action naming another refuses its bundle. Nil:
	// not checked.
	Endpoints map[string]bool
	// Wasm is the sandbox of the bundles' custom wasm modules, with the
	// compilation cache and counters shared by every bundle activated.
	Wasm wasm.Config
	// History is how many activations GET /v1/bundles remembers.
	History int
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Log receives what the watcher and the poller do; nil discards.
	Log *slog.Logger
	// Observer is told of every activation and refusal (metrics); nil
	// tells no one.
	Observer Observer
	// ShadowQueue is how many evaluate answers may wait for the shadow
	// bundle to price them again; more are dropped and counted. 0 is 1024.
	ShadowQueue int
	// ShadowSamples is how many differing answers the shadow report
	// keeps. 0 is 20.
	ShadowSamples int
	// ShadowSalt keys the hash of customer ids in the shadow report's
	// samples, as the decision log's salt does; "" is a random key per
	// process.
	ShadowSalt string
}

// Observer is told what the Activator does, by kind of source: one of
// the Source* constants, a bounded set fit for a metric label.
type Observer interface {
	Activated(source, revision string)
	Refused(source string)
}

// Kinds of source of a bundle, as an Observer is told them.
const (
	SourceUpload       = "upload"        // Tarball: PUT /v1/bundles
	SourceBundleServer = "bundle_server" // Fetch, Poll
	SourcePath         = "path"          // Path, Watch
	SourceLastGood     = "last_good"     // RestoreLastGood
	SourceBuilt        = "built"         // Revision: built elsewhere (the embedded example)
)

// noObserver is the Observer of a Config without one.
type noObserver struct{}

func (noObserver) Activated(string, string) {}
func (noObserver) Refused(string)           {}

// Activation is one bundle that became active.
type Activation struct {
	Revision    string    `json:"revision"`
	ActivatedAt time.Time `json:"activated_at"`
	Source      string    `json:"source"`
	Campaigns   int       `json:"campaigns"`
}

// Refusal is the last bundle that was refused, or could not be fetched.
type Refusal struct {
	At     time.Time `json:"at"`
	Source string    `json:"source"`
	Errors []string  `json:"errors"`
}

// Status is what GET /v1/bundles shows.
type Status struct {
	Active    *Activation  `json:"active"`
	History   []Activation `json:"history"`
	LastError *Refusal     `json:"last_error"`
	// Warning is set while a fallback bundle serves (see Fallback).
	Warning string `json:"warning,omitempty"`
	// Shadow is the shadow bundle being compared, if any (its report is
	// GET /v1/bundles/shadow).
	Shadow *ShadowLoaded `json:"shadow,omitempty"`
}

// ShadowLoaded names the shadow bundle loaded.
type ShadowLoaded struct {
	Revision string    `json:"revision"`
	Source   string    `json:"source"`
	Since    time.Time `json:"since"`
}

// Activator builds bundles and swaps them into an engine.
type Activator struct {
	cfg    Config
	engine *policies.Engine

	mu     sync.Mutex // guards the status and orders swaps
	status Status

	order sync.Mutex // one activation at a time, with keeping its file (keep.go)

	// shadow is the shadow bundle being compared (shadow.go), nil when
	// none; shadowMu orders its loads, drops and promotions.
	shadow    atomic.Pointer[shadowRun]
	shadowMu  sync.Mutex
	shadowKey []byte
}

// New returns an Activator for engine.
func New(cfg Config, engine *policies.Engine) *Activator {
	if cfg.History <= 0 {
		cfg.History = 20
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Observer == nil {
		cfg.Observer = noObserver{}
	}
	a := &Activator{cfg: cfg, engine: engine, status: Status{History: []Activation{}}, shadowKey: []byte(cfg.ShadowSalt)}
	if len(a.shadowKey) == 0 {
		a.shadowKey = make([]byte, 32)
		crand.Read(a.shadowKey) // never fails (crypto/rand)
	}
	a.removeOrphans()
	return a
}

// lastGood is the file of the last good tarball bundle.
func (a *Activator) lastGood() string { return filepath.Join(a.cfg.Dir, "last-good.tar.gz") }

func (a *Activator) loadConfig(source string) bundle.Config {
	return bundle.Config{
		Source: source, MaxBytes: a.cfg.MaxBytes, MaxTotalBytes: a.cfg.MaxTotalBytes, MaxFiles: a.cfg.MaxFiles,
		Verification: a.cfg.Verification, Wasm: a.cfg.Wasm, RuleLimits: a.cfg.RuleLimits,
		Endpoints: a.cfg.Endpoints,
	}
}

// Tarball builds a gzipped tarball bundle and, if it loads, activates it
// and keeps it as the last good bundle. Its Observer counts it as an
// upload (SourceUpload).
func (a *Activator) Tarball(ctx context.Context, source string, data []byte) (*Activation, error) {
	return a.tarball(ctx, SourceUpload, source, data)
}

// tarball is Tarball for a source of kind kind.
func (a *Activator) tarball(ctx context.Context, kind, source string, data []byte) (*Activation, error) {
	rev, err := bundle.LoadTarball(ctx, a.loadConfig(source), bytes.NewReader(data))
	if err != nil {
		return nil, a.refuse(kind, source, err)
	}
	return a.activate(rev, kind, source, data)
}

// Path builds a bundle directory or .tar.gz file and activates it.
func (a *Activator) Path(ctx context.Context, path string) (*Activation, error) {
	rev, err := bundle.LoadPathWith(ctx, a.loadConfig(path), path)
	if err != nil {
		return nil, a.refuse(SourcePath, path, err)
	}
	return a.activate(rev, SourcePath, path, nil)
}

// Revision activates a revision built elsewhere (the embedded example).
func (a *Activator) Revision(rev *policies.Revision) *Activation {
	act, _ := a.activate(rev, SourceBuilt, rev.Source, nil)
	return act
}

// RestoreLastGood activates the bundle kept on disk, if there is one.
func (a *Activator) RestoreLastGood(ctx context.Context) (*Activation, error) {
	if a.cfg.Dir == "" {
		return nil, os.ErrNotExist
	}
	data, err := os.ReadFile(a.lastGood())
	if err != nil {
		return nil, err
	}
	rev, err := bundle.LoadTarball(ctx, a.loadConfig("last-good:"+a.lastGood()), bytes.NewReader(data))
	if err != nil {
		return nil, a.refuse(SourceLastGood, a.lastGood(), err)
	}
	return a.activate(rev, SourceLastGood, "last-good:"+a.lastGood(), nil)
}

func (a *Activator) swap(rev *policies.Revision, kind, source string) *Activation {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.engine.Swap(rev)
	a.cfg.Observer.Activated(kind, rev.ID)
	act := Activation{Revision: rev.ID, ActivatedAt: a.cfg.Now().UTC(), Source: source, Campaigns: len(rev.Campaigns())}
	a.status.Active = &act
	a.status.Warning = "" // a fallback's warning ends with it
	a.status.History = append([]Activation{act}, a.status.History...)
	if len(a.status.History) > a.cfg.History {
		a.status.History = a.status.History[:a.cfg.History]
	}
	return &act
}

func (a *Activator) refuse(kind, source string, err error) error {
	a.cfg.Observer.Refused(kind)
	r := Refusal{At: a.cfg.Now().UTC(), Source: source}
	var le *bundle.LoadError
	if errors.As(err, &le) {
		for _, p := range le.Problems {
			r.Errors = append(r.Errors, p.String())
		}
	} else {
		r.Errors = []string{err.Error()}
	}
	a.mu.Lock()
	a.status.LastError = &r
	a.mu.Unlock()
	return err
}

// keep writes the tarball as the last good bundle, atomically.
func (a *Activator) keep(data []byte) error {
	if a.cfg.Dir == "" {
		return nil
	}
	if err := os.MkdirAll(a.cfg.Dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(a.cfg.Dir, "last-good-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), a.lastGood())
}

// Status reports the active bundle, the history and the last refusal.
func (a *Activator) Status() Status {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.status
	s.History = append([]Activation(nil), s.History...)
	if r := a.shadow.Load(); r != nil {
		s.Shadow = &ShadowLoaded{Revision: r.rev.ID, Source: r.source, Since: r.since}
	}
	return s
}
