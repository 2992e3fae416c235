package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A fleet's node tells its peers its share of each wallet that changed
// (cluster, walletshares.go). Every wallet transaction (appendTxAfter)
// lists its customer in bWChanged in the same transaction, so a change is
// told at least once even across a crash; the list lives only in a file
// opened to keep it: a lone sidecar keeps none.

// keepWalletChanges creates the list in a file opened to keep it. A file
// that kept one and is later opened without keeps it too (it is a set of
// customers, bounded by the wallets, and told again if the node rejoins).
func keepWalletChanges(tx *bolt.Tx, keep bool) error {
	if !keep {
		return nil
	}
	_, err := tx.CreateBucketIfNotExists(bWChanged)
	return err
}

// TakeWalletChanges removes and returns up to max customers whose wallet
// changed here since the last call; none without Config.WalletChanges.
func (s *Store) TakeWalletChanges(max int) ([]string, error) {
	var any bool
	_ = s.db.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bWChanged); b != nil {
			k, _ := b.Cursor().First()
			any = k != nil
		}
		return nil
	})
	if !any {
		return nil, nil // no write, no fsync, on an idle tick
	}
	var out []string
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bWChanged)
		c := b.Cursor()
		for k, _ := c.First(); k != nil && len(out) < max; k, _ = c.Next() {
			out = append(out, string(k))
		}
		for _, k := range out { // not while the cursor walks: it would skip keys
			if err := b.Delete([]byte(k)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: wallet changes: %w", err)
	}
	return out, nil
}
