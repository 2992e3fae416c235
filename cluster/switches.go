package cluster

import (
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/cluster/internal/wire"
	"github.com/promoedge/promoedge/policies"
)

var bSwitches = []byte("cluster_switches") // campaign -> switchState

var _ policies.Switches = (*Switchboard)(nil)

// Switchboard is the campaigns' kill switches: a map of last-writer-wins
// registers, kept in the store's file so a switch survives a restart, and
// spread to every node by the cluster (a lone node keeps it to itself).
type Switchboard struct {
	db       *bolt.DB
	node     string
	wmu      sync.Mutex   // serializes changes
	mu       sync.RWMutex // guards state
	state    map[string]switchState
	onChange func(campaign string, s switchState) // the cluster's broadcast
}

// OpenSwitchboard loads the switches kept in db; node names this node's
// changes.
func OpenSwitchboard(db *bolt.DB, node string) (*Switchboard, error) {
	sb := &Switchboard{db: db, node: node, state: map[string]switchState{}}
	err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bSwitches)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			sb.state[string(k)] = decodeSwitch(v)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("cluster: loading switches: %w", err)
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
	err := sb.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bSwitches).Put([]byte(campaign), encodeSwitch(s))
	})
	if err != nil {
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

func encodeSwitch(s switchState) []byte {
	d := byte(0)
	if s.Disabled {
		d = 1
	}
	b := []byte{d}
	b = wire.AppendUvarint(b, s.Stamp)
	return wire.AppendString(b, s.Node)
}

func decodeSwitch(b []byte) switchState {
	r := wire.NewReader(b)
	s := switchState{Disabled: r.Byte() == 1}
	s.Stamp = r.Uvarint()
	s.Node = r.String()
	return s
}
