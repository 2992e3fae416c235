package main

import (
	"github.com/promoedge/promoedge/cluster"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar"
)

// The sidecar declares the small interfaces and types it consumes and
// imports neither the store nor the cluster; these adapters, and the
// guards below, fit them together.
var (
	_ sidecar.State    = (*store.Store)(nil)
	_ sidecar.State    = fleetState{}
	_ sidecar.Switches = (*policies.Switchboard)(nil)
	_ sidecar.Switches = (*cluster.Node)(nil)
	_ sidecar.Fleet    = fleetView{}
	_ cluster.Observer = rightsObserver{}
)

// fleetView is the cluster's node as the sidecar's Fleet.
type fleetView struct{ *cluster.Node }

// Members is the node's view of the members, as the sidecar shows them.
func (v fleetView) Members() []sidecar.Member {
	ms := v.Node.Members()
	if ms == nil {
		return nil
	}
	out := make([]sidecar.Member, len(ms))
	for i, m := range ms {
		out[i] = sidecar.Member(m)
	}
	return out
}

// rightsObserver reports what the cluster does with rights to the
// sidecar's metrics.
type rightsObserver struct{ *sidecar.Metrics }

// Transferred implements cluster.Observer.
func (o rightsObserver) Transferred(dir cluster.Direction, rights int64) {
	o.Metrics.Transferred(string(dir), rights)
}
