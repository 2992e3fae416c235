package store

import (
	"encoding/binary"

	"github.com/promoedge/promoedge/policies"
)

// CodeUseHint is what the fleet last said of a generated code's use: a
// last-writer-wins register (Stamp, then Node) the cluster keeps so that
// evaluate can say code_used on every node (see cluster/codeuse.go).
type CodeUseHint struct {
	Used  bool
	Stamp uint64
	Node  string
}

// appendHint is h's record: used (1 byte), stamp, node.
func appendHint(h CodeUseHint) []byte {
	b := []byte{0}
	if h.Used {
		b[0] = 1
	}
	b = binary.AppendUvarint(b, h.Stamp)
	return appendString(b, h.Node)
}

func parseHint(b []byte) CodeUseHint {
	r := record{b: b}
	h := CodeUseHint{Used: r.byte() == 1}
	h.Stamp = r.uvarint()
	h.Node = r.string()
	return h
}

// CodeUseHint reads the hint kept for the uses of campaign's code.
func (s *Store) CodeUseHint(campaign, code string) (h CodeUseHint, found bool, err error) {
	k := rightsKey(policies.RightsKey{Campaign: campaign, Code: code, Kind: policies.LimitCode})
	err = s.ViewFleet(func(f *FleetTx) error {
		if raw := f.tx.Bucket(bCodeUse).Get(k); raw != nil {
			h, found = parseHint(raw), true
		}
		return nil
	})
	return h, found, err
}

// PutCodeUseHints writes hints, keyed by the code's rights, in one
// transaction.
func (s *Store) PutCodeUseHints(hints map[policies.RightsKey]CodeUseHint) error {
	return s.UpdateFleet(func(f *FleetTx) error {
		b := f.tx.Bucket(bCodeUse)
		for k, h := range hints {
			if err := b.Put(rightsKey(k), appendHint(h)); err != nil {
				return err
			}
		}
		return nil
	})
}
