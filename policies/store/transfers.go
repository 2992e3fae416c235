package store

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Transfer is rights of one limit on their way to another node: debited
// here, in the transaction that records the transfer, and kept until the
// receiver acknowledges them (the fleet's outbox).
type Transfer struct {
	To     string
	Key    policies.RightsKey
	Amount int64
}

// appendTransfer is t's record: to, the limit's campaign (with \x00 code
// for a code's uses), the kind, the amount.
func appendTransfer(b []byte, t *Transfer) []byte {
	b = appendString(b, t.To)
	campaign := t.Key.Campaign
	switch {
	case t.Key.Kind == policies.LimitCode:
		campaign += "\x00" + t.Key.Code
	case t.Key.IsPeriod():
		campaign += "\x00" + t.Key.Period
	}
	b = appendString(b, campaign)
	b = append(b, byte(t.Key.Kind))
	return binary.AppendVarint(b, t.Amount)
}

func parseTransfer(b []byte) (*Transfer, error) {
	r := record{b: b}
	t := &Transfer{To: r.string()}
	k, ok := parseRightsKey(append([]byte(r.string()), 0, r.byte()))
	t.Key, t.Amount = k, r.varint()
	if r.short || !ok {
		return nil, fmt.Errorf("store: a transfer record is corrupt")
	}
	return t, nil
}

// FileID is this file's random id, made on first use: transfer ids and
// the code log's source name it, so a new file never reuses an old one's.
func (f *FleetTx) FileID() (string, error) {
	meta := f.tx.Bucket(bFleet)
	if id := meta.Get([]byte("file")); id != nil {
		return string(id), nil
	}
	if !f.tx.Writable() {
		return "", nil
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	return id, meta.Put([]byte("file"), []byte(id))
}

// NextTransfer numbers a new outgoing transfer: 1, 2, ... for the file.
func (f *FleetTx) NextTransfer() (uint64, error) {
	meta := f.tx.Bucket(bFleet)
	seq := getU64(meta.Get([]byte("seq"))) + 1
	return seq, meta.Put([]byte("seq"), u64(seq))
}

// PutOutgoing keeps transfer id until DeleteOutgoing.
func (f *FleetTx) PutOutgoing(id string, t *Transfer) error {
	return f.tx.Bucket(bOutbox).Put([]byte(id), appendTransfer(nil, t))
}

// DeleteOutgoing forgets an acknowledged transfer.
func (f *FleetTx) DeleteOutgoing(id string) error {
	return f.tx.Bucket(bOutbox).Delete([]byte(id))
}

// EachOutgoing calls fn with every transfer not yet acknowledged.
func (f *FleetTx) EachOutgoing(fn func(id string, t *Transfer) error) error {
	return f.tx.Bucket(bOutbox).ForEach(func(k, v []byte) error {
		t, err := parseTransfer(v)
		if err != nil {
			return fmt.Errorf("outbox entry %s: %w", k, err)
		}
		return fn(string(k), t)
	})
}

// Credited reports whether transfer id was credited here already.
func (f *FleetTx) Credited(id string) bool {
	return f.tx.Bucket(bInbox).Get([]byte(id)) != nil
}

// PutCredited records that transfer id was credited, at at. Ids are kept
// forever (tens of bytes each).
func (f *FleetTx) PutCredited(id string, at time.Time) error {
	return f.tx.Bucket(bInbox).Put([]byte(id), u64(uint64(at.Unix())))
}
