package store

import (
	"context"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Probe writes and syncs one small record in its own transaction,
// reporting whether the file takes writes now: a full disk, a read-only
// mount or an I/O error fail it. /ready calls it (sidecar.Writable).
func (s *Store) Probe(ctx context.Context) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bMeta).Put([]byte("probe"), u64(uint64(time.Now().UnixNano())))
	})
}
