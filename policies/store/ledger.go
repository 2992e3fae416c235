package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// Ledger entries: the key is the time and a sequence number, the value a
// kind byte and the redemption id.
const (
	kindRedeemed   byte = 'R'
	kindRolledBack byte = 'B'
)

func appendLedger(tx *bolt.Tx, at time.Time, id string, kind policies.RedemptionStatus) error {
	b := tx.Bucket(bLedger)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	k := kindRedeemed
	if kind == policies.RolledBack {
		k = kindRolledBack
	}
	return b.Put(ledgerKey(at, seq), append([]byte{k}, id...))
}

// lastNano is the latest time a ledger key can hold (int64 nanoseconds).
var lastNano = time.Unix(0, math.MaxInt64)

func ledgerKey(at time.Time, seq uint64) []byte {
	k := make([]byte, 16)
	if at.After(lastNano) {
		at = lastNano
	}
	binary.BigEndian.PutUint64(k[:8], uint64(max(0, at.UnixNano())))
	binary.BigEndian.PutUint64(k[8:], seq)
	return k
}

var _ policies.Ledger = (*Store)(nil)

// pageSize is how many ledger entries one read transaction visits, so that
// an export of millions of rows never holds a transaction (and bbolt's
// remap lock) for long, and never holds more than a page in memory.
const pageSize = 512

// Redemptions implements policies.Ledger: it calls emit for every
// redemption q selects, in the order they were redeemed, with its current
// status. It stops at emit's first error.
func (s *Store) Redemptions(ctx context.Context, q policies.LedgerQuery, emit func(*policies.Redemption) error) error {
	next := ledgerKey(q.Since, 0)
	for next != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		var page []*policies.Redemption
		var err error
		page, next, err = s.ledgerPage(next, &q)
		if err != nil {
			return err
		}
		for _, r := range page {
			if err := emit(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Store) ledgerPage(from []byte, q *policies.LedgerQuery) ([]*policies.Redemption, []byte, error) {
	var page []*policies.Redemption
	var next []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bLedger).Cursor()
		n := 0
		for k, v := c.Seek(from); k != nil; k, v = c.Next() {
			if n == pageSize {
				next = bytes.Clone(k)
				return nil
			}
			n++
			if len(v) < 2 || v[0] != kindRedeemed {
				continue
			}
			r, err := getRedemption(tx, string(v[1:]))
			if err != nil {
				return err
			}
			if q.Match(r) {
				page = append(page, r)
			}
		}
		return nil
	})
	return page, next, err
}
