package main

import (
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/cluster"
	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// TestRightsObserverReachesMetrics: what the cluster reports of rights
// shows at GET /metrics through the adapter.
func TestRightsObserverReachesMetrics(t *testing.T) {
	m := sidecar.NewMetrics()
	var obs cluster.Observer = rightsObserver{m}
	obs.Transferred(cluster.Out, 5)
	obs.Transferred(cluster.In, 2)
	obs.Waited(time.Millisecond, false)
	obs.CodesLearnt(3, 1)
	s := sidecartest.StartDeps(t, sidecar.Deps{Engine: sidecartest.ExampleEngine(t), Metrics: m}, "")
	_, out := s.Do(t, "GET", "/metrics", nil)
	for _, want := range []string{
		`promoedge_cluster_transfers_total{direction="out"} 1`,
		`promoedge_cluster_rights_transferred_total{direction="out"} 5`,
		`promoedge_cluster_rights_transferred_total{direction="in"} 2`,
		`promoedge_cluster_rights_wait_seconds_count{outcome="timeout"} 1`,
		`promoedge_cluster_codes_replicated_total{outcome="stored"} 3`,
		`promoedge_cluster_codes_replicated_total{outcome="clash"} 1`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("no %s in:\n%s", want, out)
		}
	}
}
