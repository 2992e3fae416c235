package cluster

import (
	"fmt"
	"sync"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

var (
	_ policies.Switches = (*Switchboard)(nil)
	_ policies.Switches = (*Node)(nil)
	_ SwitchStore       = (*store.Store)(nil)
)

// SwitchStore keeps the switches durably; the store implements it.
type SwitchStore interface {
	Switches() (map[string]store.Switch, error)
	PutSwitch(campaign string, s store.Switch) error
}

// Switchboard is the campaigns' kill switches: a map of last-writer-wins
// registers, kept in the store's file so a switch survives a restart, and
// spread to every node by the cluster. (A lone sidecar uses the store's
// Switchboard, which keeps them to itself.)
type Switchboard struct {
	st       SwitchStore
	node     string
	wmu      sync.Mutex   // serializes changes
	mu       sync.RWMutex // guards state
	state    map[string]switchState
	onChange func(campaign string, s switchState) // the cluster's broadcast
}

// OpenSwitchboard loads the switches kept in st; node names this node's
// changes.
func OpenSwitchboard(st SwitchStore, node string) (*Switchboard, error) {
	kept, err := st.Switches()
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	sb := &Switchboard{st: st, node: node, state: make(map[string]switchState, len(kept))}
	for campaign, s := range kept {
		sb.state[campaign] = switchState(s)
	}
	return sb, nil
}

// Disabled implements policies.Switches.
func (sb *Switchboard) Disabled(campaign string) bool {
	sb.mu.RLock()
	s := sb.state[campaign]
	sb.mu.RUnlock()
	return s.Disabled
}

// Set turns campaign off (disabled) or back on, durably, and spreads it.
func (sb *Switchboard) Set(campaign string, disabled bool) error {
	sb.mu.Lock()
	prev := sb.state[campaign]
	s := switchState{Disabled: disabled, Stamp: max(uint64(time.Now().UnixNano()), prev.Stamp+1), Node: sb.node}
	sb.mu.Unlock()
	if !sb.merge(campaign, s) {
		return fmt.Errorf("cluster: the switch of %s was not saved", campaign)
	}
	return nil
}

// merge keeps s if it is newer than what the board holds and reports
// whether it was; a kept state is written to disk and announced.
func (sb *Switchboard) merge(campaign string, s switchState) bool {
	sb.wmu.Lock() // one writer at a time; readers only wait for the map
	defer sb.wmu.Unlock()
	sb.mu.RLock()
	cur, ok := sb.state[campaign]
	sb.mu.RUnlock()
	if ok && !s.newer(cur) {
		return false
	}
	if err := sb.st.PutSwitch(campaign, store.Switch(s)); err != nil {
		return false // not kept: the next gossip round brings it again
	}
	sb.mu.Lock()
	sb.state[campaign] = s
	sb.mu.Unlock()
	if sb.onChange != nil {
		sb.onChange(campaign, s)
	}
	return true
}

// all is every switch, for push/pull.
func (sb *Switchboard) all() map[string]switchState {
	sb.mu.RLock()
	defer sb.mu.RUnlock()
	out := make(map[string]switchState, len(sb.state))
	for k, v := range sb.state {
		out[k] = v
	}
	return out
}
