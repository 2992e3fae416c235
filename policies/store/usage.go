package store

import (
	"context"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/money"
)

var _ policies.Usage = (*Store)(nil)

// Used implements policies.Usage for evaluate: a read-only look.
func (s *Store) Used(_ context.Context, campaign, customer string) (policies.Used, error) {
	var u policies.Used
	err := s.db.View(func(tx *bolt.Tx) error {
		u = readUsage(tx, campaign, customer)
		return nil
	})
	return u, err
}

func readUsage(tx *bolt.Tx, campaign, customer string) policies.Used {
	var u policies.Used
	if raw := tx.Bucket(bUsage).Get([]byte(campaign)); len(raw) == 16 {
		u.Redemptions = int64(binary.BigEndian.Uint64(raw[:8]))
		u.Spent = int64(binary.BigEndian.Uint64(raw[8:]))
	}
	if customer != "" {
		u.Customer = int64(getU64(tx.Bucket(bCustomers).Get(customerKey(campaign, customer))))
	}
	return u
}

// addUsage moves a campaign's usage u by n redemptions and amount spent.
func addUsage(tx *bolt.Tx, c *policies.RedeemedCampaign, customer string, u policies.Used, n int64) error {
	raw := make([]byte, 16)
	binary.BigEndian.PutUint64(raw[:8], uint64(max(0, u.Redemptions+n)))
	binary.BigEndian.PutUint64(raw[8:], uint64(money.Saturating(max(0, u.Spent), n*c.Amount))) // n is ±1
	if err := tx.Bucket(bUsage).Put([]byte(c.Campaign), raw); err != nil {
		return err
	}
	if customer == "" {
		return nil
	}
	return tx.Bucket(bCustomers).Put(customerKey(c.Campaign, customer), u64(uint64(max(0, u.Customer+n))))
}

func customerKey(campaign, customer string) []byte {
	k := make([]byte, 0, len(campaign)+1+len(customer))
	k = append(k, campaign...)
	k = append(k, 0)
	return append(k, customer...)
}
