package wasm

import (
	"errors"
	"sync/atomic"
)

// Stats counts what the custom modules of the hosts that share it do; the
// zero value is ready. cmd makes one and hands it to bundle loading
// (Config.Stats) and to the sidecar, which exports it at GET /metrics. Its
// counters outlive the revisions whose modules they count, as Prometheus
// counters must.
type Stats struct {
	calls     atomic.Int64
	instances atomic.Int64
	recycled  atomic.Int64
	hosts     atomic.Int64
	errors    [len(errorKinds)]atomic.Int64
}

// errorKinds are the kinds of failed calls, by label value of
// promoedge_wasm_errors_total, in order.
var errorKinds = [...]struct {
	err   error
	label string
}{
	{ErrTimeout, "timeout"},
	{ErrMemory, "memory"},
	{ErrTrap, "trap"},
	{ErrOutput, "output"},
	{ErrInput, "input"},
	{ErrBusy, "busy"},
}

func (s *Stats) failed(kind error) {
	for i := range errorKinds {
		if errors.Is(kind, errorKinds[i].err) {
			s.errors[i].Add(1)
			return
		}
	}
}

// Calls is how many evaluate calls of custom modules were made.
func (s *Stats) Calls() int64 { return s.calls.Load() }

// Instances is how many instances were created.
func (s *Stats) Instances() int64 { return s.instances.Load() }

// Recycled is how many instances were closed after a failure.
func (s *Stats) Recycled() int64 { return s.recycled.Load() }

// Hosts is how many hosts are open now: revisions with custom modules not
// yet released.
func (s *Stats) Hosts() int64 { return s.hosts.Load() }

// Errors is how many calls failed, by kind: timeout, memory, trap,
// output, input, busy.
func (s *Stats) Errors() map[string]int64 {
	out := make(map[string]int64, len(errorKinds))
	for i := range errorKinds {
		out[errorKinds[i].label] = s.errors[i].Load()
	}
	return out
}
