package wasm

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"sync"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/wasm/internal/abi"
)

var _ policies.Rules = (*Evaluator)(nil)

// Evaluator decides campaigns whose document names a custom module
// (`wasm: <module>`), with the modules of one Host.
type Evaluator struct {
	host *Host
	docs map[*policies.Campaign][]byte // campaign documents as JSON
	bufs sync.Pool                     // *[]byte input buffers
}

// NewEvaluator prepares the campaigns' documents for the modules of h.
// Every campaign with a Wasm module must name a module of h. The host is
// closed when the evaluator is no longer reachable (its revision was
// replaced and its last request finished).
func NewEvaluator(h *Host, campaigns []*policies.Campaign) (*Evaluator, error) {
	e := &Evaluator{host: h, docs: make(map[*policies.Campaign][]byte)}
	for _, c := range campaigns {
		if c.Wasm == "" {
			continue
		}
		if _, ok := h.Module(c.Wasm); !ok {
			return nil, fmt.Errorf("%s names the wasm module %q, which the bundle does not have", c, c.Wasm)
		}
		doc, err := json.Marshal(c.Doc)
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", c, err)
		}
		e.docs[c] = doc
	}
	runtime.AddCleanup(e, func(h *Host) { h.Close(context.Background()) }, h)
	return e, nil
}

// Decide implements policies.Rules: one call per campaign, each in an
// instance of its module. A failed call sets that campaign's Verdict.Err.
func (e *Evaluator) Decide(ctx context.Context, req *policies.Request, campaigns []*policies.Campaign, out []policies.Verdict) error {
	input, err := abi.NewInput(req.Input)
	if err != nil {
		return err
	}
	bp := e.buffer()
	defer e.bufs.Put(bp)
	for i, c := range campaigns {
		out[i] = e.decide(ctx, input, c, bp)
	}
	return nil
}

func (e *Evaluator) decide(ctx context.Context, input *abi.Input, c *policies.Campaign, bp *[]byte) policies.Verdict {
	m, ok := e.host.Module(c.Wasm)
	doc, known := e.docs[c]
	if !ok || !known {
		return policies.Verdict{Err: fmt.Errorf("wasm module %s is not loaded for %s", c.Wasm, c)}
	}
	*bp = input.For((*bp)[:0], doc)
	raw, err := m.Call(ctx, *bp, c.WasmTimeout)
	if err != nil {
		return policies.Verdict{Err: err}
	}
	v, err := abi.Verdict(raw)
	if err != nil {
		return policies.Verdict{Err: m.fail(ErrOutput, err.Error())}
	}
	return v
}

func (e *Evaluator) buffer() *[]byte {
	if bp, ok := e.bufs.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 4096)
	return &b
}

// Module returns one of the evaluator's modules by name.
func (e *Evaluator) Module(name string) (*Module, bool) { return e.host.Module(name) }
