package store

import (
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// bSwitches keeps the name it had when the cluster owned it, so the files
// written then keep their switches.
var bSwitches = []byte("cluster_switches") // campaign -> Switch (encodeSwitch)

// Switch is a campaign's kill switch as last set. Stamp and Node order the
// changes of a cluster (last writer wins; the cluster merges them).
type Switch struct {
	Disabled bool
	Stamp    uint64 // wall-clock nanoseconds of the change, at least last+1
	Node     string // who changed it: ties broken by name
}

// Switches reads every kill switch kept in the file.
func (s *Store) Switches() (map[string]Switch, error) {
	out := map[string]Switch{}
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bSwitches).ForEach(func(k, v []byte) error {
			out[string(k)] = decodeSwitch(v)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: loading switches: %w", err)
	}
	return out, nil
}

// PutSwitch keeps sw as campaign's kill switch, durably.
func (s *Store) PutSwitch(campaign string, sw Switch) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bSwitches).Put([]byte(campaign), encodeSwitch(sw))
	})
}

// encodeSwitch is a switch's stored form: disabled (1 byte), stamp
// (uvarint), node (uvarint length, bytes), as the cluster gossips it.
func encodeSwitch(s Switch) []byte {
	d := byte(0)
	if s.Disabled {
		d = 1
	}
	b := binary.AppendUvarint([]byte{d}, s.Stamp)
	b = binary.AppendUvarint(b, uint64(len(s.Node)))
	return append(b, s.Node...)
}

// decodeSwitch reads what encodeSwitch wrote; a short value leaves the
// fields it lacks zero.
func decodeSwitch(b []byte) Switch {
	var s Switch
	if len(b) == 0 {
		return s
	}
	s.Disabled, b = b[0] == 1, b[1:]
	stamp, n := binary.Uvarint(b)
	if n <= 0 {
		return s
	}
	s.Stamp, b = stamp, b[n:]
	size, n := binary.Uvarint(b)
	if n <= 0 || size > uint64(len(b)-n) {
		return s
	}
	s.Node = string(b[n : n+int(size)])
	return s
}

// localNode names a lone sidecar's changes of its switches.
const localNode = "local"

var _ policies.Switches = (*Switchboard)(nil)

// Switchboard is a lone sidecar's kill switch: the switches kept in the
// store's file, read from memory. A node of a cluster uses the cluster's
// Switchboard instead, which spreads every change.
type Switchboard struct {
	st    *Store
	wmu   sync.Mutex   // serializes changes
	mu    sync.RWMutex // guards state
	state map[string]Switch
}

// OpenSwitchboard loads the switches kept in st's file.
func OpenSwitchboard(st *Store) (*Switchboard, error) {
	state, err := st.Switches()
	if err != nil {
		return nil, err
	}
	return &Switchboard{st: st, state: state}, nil
}

// Disabled implements policies.Switches.
func (sb *Switchboard) Disabled(campaign string) bool {
	sb.mu.RLock()
	s := sb.state[campaign]
	sb.mu.RUnlock()
	return s.Disabled
}

// Set turns campaign off (disabled) or back on, durably.
func (sb *Switchboard) Set(campaign string, disabled bool) error {
	sb.wmu.Lock()
	defer sb.wmu.Unlock()
	sb.mu.RLock()
	prev := sb.state[campaign]
	sb.mu.RUnlock()
	s := Switch{Disabled: disabled, Stamp: max(uint64(time.Now().UnixNano()), prev.Stamp+1), Node: localNode}
	if err := sb.st.PutSwitch(campaign, s); err != nil {
		return fmt.Errorf("store: the switch of %s was not saved: %w", campaign, err)
	}
	sb.mu.Lock()
	sb.state[campaign] = s
	sb.mu.Unlock()
	return nil
}
