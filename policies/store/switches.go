package store

import (
	"encoding/binary"
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

// encodeSwitch is a switch's stored form: disabled (1 byte), stamp
// (uvarint), node (uvarint length, bytes), as the cluster gossips it.
func encodeSwitch(s policies.Switch) []byte {
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
func decodeSwitch(b []byte) policies.Switch {
	var s policies.Switch
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
