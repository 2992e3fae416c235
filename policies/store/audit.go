package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// bAudit is the audit log: time (8) seq (8) -> AuditEntry JSON, as the
// ledger's keys. It is one of allBuckets, made when a file is opened, so
// it needs no schema change or migration: an older binary ignores it, and
// a file that lacked it has no entries yet.
var bAudit = []byte("audit")

var _ policies.AuditLog = (*Store)(nil)

// Record implements policies.AuditLog: it keeps e durably (one fsync).
func (s *Store) Record(_ context.Context, e policies.AuditEntry) error {
	v, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("store: audit entry: %w", err)
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bAudit)
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		return b.Put(ledgerKey(e.At, seq), v)
	})
	if err != nil {
		return fmt.Errorf("store: recording %s in the audit log: %w", e.Action, err)
	}
	return nil
}

// Audit implements policies.AuditLog: the latest q.Limit entries at or
// after q.Since, oldest first.
func (s *Store) Audit(ctx context.Context, q policies.AuditQuery) ([]policies.AuditEntry, error) {
	var out []policies.AuditEntry
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bAudit)
		from := ledgerKey(q.Since, 0)
		c := b.Cursor()
		for k, v := c.Last(); k != nil && string(k) >= string(from); k, v = c.Prev() {
			if q.Limit > 0 && len(out) == q.Limit {
				break
			}
			var e policies.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("audit entry %x: %w", k, err)
			}
			out = append(out, e)
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: reading the audit log: %w", err)
	}
	slices.Reverse(out)
	return out, nil
}
