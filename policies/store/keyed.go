package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

var _ policies.KeyedStore = (*Store)(nil)

// keyedAt is where the record of an admin change's idempotency key is
// kept: a gift card's balance changes in bCardKeys (the ledger entry as
// JSON), a wallet's adjustments and reward claims in bWKeys (body, 1,
// the answer as JSON: putKeyed).
func keyedAt(scope, key string) (bucket, k []byte, ok bool) {
	if key == "" {
		return nil, nil, false
	}
	if code, card := strings.CutPrefix(scope, "card:"); card && policies.ValidCode(code) {
		return bCardKeys, cardKeyAt(code, key), true
	}
	switch scope {
	case policies.AdjustKeyScope, policies.ClaimKeyScope:
		return bWKeys, []byte(scope + "\x00" + key), true
	}
	return nil, nil, false
}

// Keyed implements policies.KeyedStore.
func (s *Store) Keyed(_ context.Context, scope, key string) ([]byte, bool, error) {
	bucket, k, ok := keyedAt(scope, key)
	if !ok {
		return nil, false, fmt.Errorf("store: no idempotency keys of scope %q", scope)
	}
	var out []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		out = bytes.Clone(tx.Bucket(bucket).Get(k))
		return nil
	})
	return out, out != nil, err
}

// AdoptKeyed implements policies.KeyedStore: the record must read as
// this file's own records of its scope do.
func (s *Store) AdoptKeyed(_ context.Context, scope, key string, record []byte) error {
	bucket, k, ok := keyedAt(scope, key)
	if !ok {
		return fmt.Errorf("store: no idempotency keys of scope %q", scope)
	}
	answer := record
	if bytes.Equal(bucket, bWKeys) {
		var ok bool
		if _, answer, ok = splitKeyed(record); !ok {
			return fmt.Errorf("store: another node's record of key %q has no answer", key)
		}
	}
	if !json.Valid(answer) {
		return fmt.Errorf("store: another node's record of key %q is not JSON", key)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b.Get(k) != nil {
			return nil // this node's own record stands
		}
		return b.Put(k, bytes.Clone(record))
	})
}
