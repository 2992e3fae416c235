package policies

import (
	"fmt"
	"sync"
	"time"
)

// Switch is a campaign's kill switch as last set: a last-writer-wins
// register, so that the nodes of a cluster agree on it whatever order the
// changes reach them in.
type Switch struct {
	Disabled bool
	Stamp    uint64 // wall-clock nanoseconds of the change, at least last+1
	Node     string // who changed it: ties broken by name
}

// Newer reports whether s wins over o.
func (s Switch) Newer(o Switch) bool {
	if s.Stamp != o.Stamp {
		return s.Stamp > o.Stamp
	}
	return s.Node > o.Node
}

// SwitchStore keeps the switches durably; the store implements it.
type SwitchStore interface {
	Switches() (map[string]Switch, error)
	PutSwitch(campaign string, s Switch) error
}

var _ Switches = (*Switchboard)(nil)

// Switchboard is the campaigns' kill switches, kept in a SwitchStore so a
// switch survives a restart and read from memory. A lone sidecar uses it
// as it is; a cluster node hands Open a broadcast and merges what other
// nodes announce.
type Switchboard struct {
	st       SwitchStore
	node     string
	onChange func(campaign string, s Switch)
	wmu      sync.Mutex   // serializes changes
	mu       sync.RWMutex // guards state
	state    map[string]Switch
}

// OpenSwitchboard loads the switches kept in st. node names this node's
// changes; onChange (nil: none) hears every change kept, this node's and
// merged ones, after it is durable.
func OpenSwitchboard(st SwitchStore, node string, onChange func(campaign string, s Switch)) (*Switchboard, error) {
	kept, err := st.Switches()
	if err != nil {
		return nil, fmt.Errorf("kill switch: %w", err)
	}
	return &Switchboard{st: st, node: node, onChange: onChange, state: kept}, nil
}

// Disabled implements Switches.
func (sb *Switchboard) Disabled(campaign string) bool { return sb.get(campaign).Disabled }

// Set turns campaign off (disabled) or back on, durably. Its stamp is
// taken under the write lock, so two changes here never tie.
func (sb *Switchboard) Set(campaign string, disabled bool) error {
	sb.wmu.Lock()
	defer sb.wmu.Unlock()
	prev := sb.get(campaign)
	s := Switch{Disabled: disabled, Stamp: max(uint64(time.Now().UnixNano()), prev.Stamp+1), Node: sb.node}
	if !sb.keep(campaign, s) {
		return fmt.Errorf("kill switch: the switch of %s was not saved", campaign)
	}
	return nil
}

// Merge keeps s if it is newer than what the board holds and reports
// whether it was; a kept switch is written to the store, then announced.
func (sb *Switchboard) Merge(campaign string, s Switch) bool {
	sb.wmu.Lock() // one writer at a time; readers only wait for the map
	defer sb.wmu.Unlock()
	if cur, ok := sb.lookup(campaign); ok && !s.Newer(cur) {
		return false
	}
	return sb.keep(campaign, s)
}

// keep writes s to the store, then to the map, then announces it; the
// caller holds wmu.
func (sb *Switchboard) keep(campaign string, s Switch) bool {
	if err := sb.st.PutSwitch(campaign, s); err != nil {
		return false // not kept: a cluster's next gossip round brings it again
	}
	sb.mu.Lock()
	sb.state[campaign] = s
	sb.mu.Unlock()
	if sb.onChange != nil {
		sb.onChange(campaign, s)
	}
	return true
}

func (sb *Switchboard) get(campaign string) Switch {
	s, _ := sb.lookup(campaign)
	return s
}

func (sb *Switchboard) lookup(campaign string) (Switch, bool) {
	sb.mu.RLock()
	defer sb.mu.RUnlock()
	s, ok := sb.state[campaign]
	return s, ok
}

// All is every switch, as a copy.
func (sb *Switchboard) All() map[string]Switch {
	sb.mu.RLock()
	defer sb.mu.RUnlock()
	out := make(map[string]Switch, len(sb.state))
	for k, v := range sb.state {
		out[k] = v
	}
	return out
}
