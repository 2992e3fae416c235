package sidecar

import (
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/api"
)

// Switches turns campaigns off and on at run time (the kill switch); the
// cluster spreads each change to every node. The store's Switchboard (a
// lone sidecar) and the cluster's node implement it.
type Switches interface {
	Set(campaign string, disabled bool) error
}

// Fleet is the cluster this sidecar is a member of; cmd adapts the
// cluster's node to it.
type Fleet interface {
	Name() string
	Members() []Member
	// Minters are the live members that create limit rights (one should).
	Minters() []string
	// ReloadKeys reads the gossip key file again (key rotation).
	ReloadKeys() error
}

// Member is one node of the fleet as GET /v1/cluster shows it.
type Member struct {
	Name     string    `json:"name"`
	Addr     string    `json:"addr"`
	State    string    `json:"state"` // alive, suspect, dead (failed or left)
	Revision string    `json:"bundle_revision,omitempty"`
	Version  string    `json:"version,omitempty"`
	Since    time.Time `json:"since"`
	Self     bool      `json:"self,omitempty"`
	// Minter says the node creates limit rights: one node of a cluster
	// should.
	Minter bool `json:"minter,omitempty"`
}

// fleetDeps is what the API serves of the fleet.
type fleetDeps struct {
	switches Switches
	fleet    Fleet
}

// view is viewOf with the kill switch applied.
func (s *Server) view(c *policies.Campaign, now time.Time) api.Campaign {
	v := viewOf(c, now)
	if s.engine.Disabled(c.ID) {
		v.Status, v.Enabled = string(policies.Disabled), false
	}
	return v
}

func (s *Server) disableCampaign(ctx *fasthttp.RequestCtx, params []string) {
	s.switchCampaign(ctx, params[0], true)
}

func (s *Server) enableCampaign(ctx *fasthttp.RequestCtx, params []string) {
	s.switchCampaign(ctx, params[0], false)
}

func (s *Server) switchCampaign(ctx *fasthttp.RequestCtx, id string, disabled bool) {
	if s.switches == nil {
		writeError(ctx, fasthttp.StatusServiceUnavailable, errorBody{Code: "no_switches", Message: "this sidecar has no kill switch (no store)"})
		return
	}
	if _, err := s.campaign(id); err != nil {
		fail(ctx, err)
		return
	}
	if err := s.switches.Set(id, disabled); err != nil {
		fail(ctx, err)
		return
	}
	s.getCampaign(ctx, []string{id})
}

// clusterView is GET /v1/cluster.
type clusterView struct {
	Node    string   `json:"node"`
	Minters []string `json:"minters,omitempty"`
	Warning string   `json:"warning,omitempty"`
	Members []Member `json:"members"`
}

func (s *Server) getCluster(ctx *fasthttp.RequestCtx, _ []string) {
	if s.fleet == nil {
		rev := ""
		if r := s.engine.Revision(); r != nil {
			rev = r.ID
		}
		writeJSON(ctx, fasthttp.StatusOK, clusterView{Members: []Member{{Name: "", State: "alive", Revision: rev, Self: true}}})
		return
	}
	v := clusterView{Node: s.fleet.Name(), Members: s.fleet.Members(), Minters: s.fleet.Minters()}
	if len(v.Minters) > 1 {
		v.Warning = "more than one node mints limit rights: every limit was minted once per minter and can be exceeded; give every node the same --cluster-minter"
	}
	writeJSON(ctx, fasthttp.StatusOK, v)
}

func (s *Server) reloadKeys(ctx *fasthttp.RequestCtx, _ []string) {
	if s.fleet == nil {
		writeError(ctx, fasthttp.StatusConflict, errorBody{Code: "no_cluster", Message: "this sidecar is not in a cluster"})
		return
	}
	if err := s.fleet.ReloadKeys(); err != nil {
		writeError(ctx, fasthttp.StatusConflict, errorBody{Code: "keys", Message: err.Error()})
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, map[string]string{"status": "reloaded"})
}
