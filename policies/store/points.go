package store

import (
	"context"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Credit is one movement of a customer's points: positive when a
// redemption earns them, negative when its rollback takes them back. The
// shape leaves room for an expiry policy (ExpiresAt) and a wallet API.
type Credit struct {
	Campaign   string     `json:"campaign"`
	Redemption string     `json:"redemption_id"`
	Points     int64      `json:"points"`
	At         time.Time  `json:"at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
}

func creditPoints(tx *bolt.Tx, customer, campaign, redemption string, points int64, at time.Time) error {
	b := tx.Bucket(bPoints)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	raw, err := json.Marshal(Credit{Campaign: campaign, Redemption: redemption, Points: points, At: at.UTC()})
	if err != nil {
		return err
	}
	if err := b.Put(append(customerKey(customer, ""), u64(seq)...), raw); err != nil {
		return err
	}
	bal := tx.Bucket(bBalances)
	cur := int64(getU64(bal.Get([]byte(customer))))
	return bal.Put([]byte(customer), u64(uint64(cur+points)))
}

// Points returns a customer's balance and credits, oldest first.
func (s *Store) Points(_ context.Context, customer string) (int64, []Credit, error) {
	var balance int64
	var credits []Credit
	err := s.db.View(func(tx *bolt.Tx) error {
		balance = int64(getU64(tx.Bucket(bBalances).Get([]byte(customer))))
		prefix := customerKey(customer, "")
		c := tx.Bucket(bPoints).Cursor()
		for k, v := c.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, v = c.Next() {
			var cr Credit
			if err := json.Unmarshal(v, &cr); err != nil {
				return err
			}
			credits = append(credits, cr)
		}
		return nil
	})
	return balance, credits, err
}
