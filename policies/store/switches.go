package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// bSwitches keeps the name it had when the cluster owned it, so the files
// written then keep their switches.
var bSwitches = []byte("cluster_switches") // campaign -> Switch (encodeSwitch)

var _ policies.SwitchStore = (*Store)(nil)

// Switches reads every kill switch kept in the file.
func (s *Store) Switches() (map[string]policies.Switch, error) {
	out := map[string]policies.Switch{}
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
func (s *Store) PutSwitch(campaign string, sw policies.Switch) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bSwitches).Put([]byte(campaign), encodeSwitch(sw))
	})
}

// encodeSwitch is a switch's stored form, the same last-writer-wins
// record as a code-use hint's (codehints.go): disabled (1 byte), stamp,
// node, as the cluster gossips it.
func encodeSwitch(s policies.Switch) []byte {
	return appendHint(CodeUseHint{Used: s.Disabled, Stamp: s.Stamp, Node: s.Node})
}

// decodeSwitch reads what encodeSwitch wrote; a short value leaves the
// fields it lacks zero.
func decodeSwitch(b []byte) policies.Switch {
	h := parseHint(b)
	return policies.Switch{Disabled: h.Used, Stamp: h.Stamp, Node: h.Node}
}
