package wasm

import (
	"errors"
	"sync/atomic"
)

// counters are process-wide: they outlive the revisions whose modules they
// count, as Prometheus counters must.
type counters struct {
	calls     atomic.Int64
	instances atomic.Int64
	recycled  atomic.Int64
	hosts     atomic.Int64 // open hosts: one per loaded bundle with custom modules
	errors    [len(errorKinds)]atomic.Int64
}

var stats counters

// errorKinds are the label values of promoedge_wasm_errors_total, in order
// (the sidecar exports ReadStats at /metrics).
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

func (c *counters) failed(kind error) {
	for i := range errorKinds {
		if errors.Is(kind, errorKinds[i].err) {
			c.errors[i].Add(1)
			return
		}
	}
}

// Stats is a snapshot of the wasm counters.
type Stats struct {
	Calls     int64            // evaluate calls of custom modules
	Instances int64            // instances created
	Recycled  int64            // instances closed after a failure
	Hosts     int64            // hosts open now: revisions with custom modules not yet released
	Errors    map[string]int64 // failed calls by kind: timeout, memory, trap, output, input, busy
}

// ReadStats returns the counters as they are now.
func ReadStats() Stats {
	s := Stats{
		Calls: stats.calls.Load(), Instances: stats.instances.Load(), Recycled: stats.recycled.Load(), Hosts: stats.hosts.Load(),
		Errors: make(map[string]int64, len(errorKinds)),
	}
	for i := range errorKinds {
		s.Errors[errorKinds[i].label] = stats.errors[i].Load()
	}
	return s
}
