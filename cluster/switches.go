package cluster

import (
	"github.com/promoedge/promoedge/policies"
)

var _ policies.Switches = (*Node)(nil)

// The kill switches are the domain's policies.Switchboard, kept in the
// store's file; the node hands it announceSwitch (gossip.go), so every
// change kept here is spread, and merges what other nodes announce.

// Disabled implements policies.Switches.
func (n *Node) Disabled(campaign string) bool { return n.sw.Disabled(campaign) }

// Set turns a campaign off or on, on every node (see policies.Switchboard).
func (n *Node) Set(campaign string, disabled bool) error { return n.sw.Set(campaign, disabled) }
