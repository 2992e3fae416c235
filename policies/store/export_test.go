package store

import (
	"context"
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// Points returns a customer's balance and credits, oldest first, for
// tests: nothing serves points yet. Credits are kept in time order for the
// commit path (appends are the cheapest writes); listing one customer's
// scans them all, which a wallet API will replace with an index.
func (s *Store) Points(_ context.Context, customer string) (int64, []policies.Credit, error) {
	var balance int64
	var credits []policies.Credit
	err := s.db.View(func(tx *bolt.Tx) error {
		balance = int64(getU64(tx.Bucket(bBalances).Get([]byte(customer))))
		return tx.Bucket(bPoints).ForEach(func(_, v []byte) error {
			var cr policies.Credit
			if err := json.Unmarshal(v, &cr); err != nil {
				return err
			}
			if cr.Customer == customer {
				credits = append(credits, cr)
			}
			return nil
		})
	})
	return balance, credits, err
}
