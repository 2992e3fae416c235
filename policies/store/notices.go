package store

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// bNotices holds the notices the webhooks have yet to deliver, in commit
// order: seq (8) -> Notice JSON.
var bNotices = []byte("webhook_outbox")

// putNotices appends ns to the outbox in tx, so that a notice is durable
// exactly when the change it reports is.
func putNotices(tx *bolt.Tx, ns []policies.Notice) error {
	b := tx.Bucket(bNotices)
	for i := range ns {
		raw, err := json.Marshal(&ns[i])
		if err != nil {
			return fmt.Errorf("outbox: encoding %s %s: %w", ns[i].Type, ns[i].ID, err)
		}
		seq, err := b.NextSequence()
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		if err := b.Put(u64(seq), raw); err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
	}
	return nil
}
