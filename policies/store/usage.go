package store

import (
	"context"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

var _ policies.Usage = (*Store)(nil)

// Counter checks and takes a campaign's limits inside a commit's
// transaction. Local compares usage with the limits on this node; the
// cluster implements it with escrowed rights.
type Counter interface {
	// Check reports the limit that taking one redemption of amount for
	// customer would exceed, or "". used is the campaign's usage on this
	// node as the transaction sees it. It must not write.
	Check(tx *bolt.Tx, c *policies.RedeemedCampaign, customer string, used policies.Used) (policies.Reason, error)
	// Take consumes one redemption of amount; Check passed in this tx.
	Take(tx *bolt.Tx, c *policies.RedeemedCampaign, customer string) error
	// Give returns what Take consumed.
	Give(tx *bolt.Tx, c *policies.RedeemedCampaign, customer string) error
}

// Local is the single-node Counter: usage against limits.
type Local struct{}

var _ Counter = Local{}

// Check implements Counter; a unique code is used up when its uses here
// reached its maximum.
func (Local) Check(tx *bolt.Tx, c *policies.RedeemedCampaign, customer string, u policies.Used) (policies.Reason, error) {
	l := c.Limits
	switch {
	case c.UniqueCode && codeUsedUp(tx, c.Code):
		return policies.CodeUsed, nil
	case l.Redemptions > 0 && u.Redemptions+1 > l.Redemptions:
		return policies.LimitExhausted, nil
	case l.PerCustomer > 0 && (customer == "" || u.Customer+1 > l.PerCustomer):
		return policies.PerCustomerLimit, nil
	case l.Budget > 0 && u.Spent+c.Amount > l.Budget:
		return policies.BudgetExhausted, nil
	}
	return "", nil
}

// Take implements Counter; usage itself is written by the store.
func (Local) Take(*bolt.Tx, *policies.RedeemedCampaign, string) error { return nil }

// Give implements Counter.
func (Local) Give(*bolt.Tx, *policies.RedeemedCampaign, string) error { return nil }

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
	binary.BigEndian.PutUint64(raw[8:], uint64(max(0, u.Spent+n*c.Amount)))
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
