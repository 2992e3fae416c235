package store

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Credit is one movement of a customer's points: positive when a
// redemption earns them, negative when its rollback takes them back. The
// shape leaves room for an expiry policy (ExpiresAt) and a wallet API.
type Credit struct {
	Customer   string     `json:"customer"`
	Campaign   string     `json:"campaign"`
	Redemption string     `json:"redemption_id"`
	Points     int64      `json:"points"`
	At         time.Time  `json:"at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
}

// encodeCredit is a Credit's stored JSON, written by hand: it is on the
// commit path of every redemption that earns points.
func encodeCredit(customer, campaign, redemption string, points int64, at time.Time) []byte {
	b := make([]byte, 0, 128+len(customer)+len(campaign)+len(redemption))
	b = append(b, `{"customer":`...)
	b = strconv.AppendQuote(b, customer)
	b = append(b, `,"campaign":`...)
	b = strconv.AppendQuote(b, campaign)
	b = append(b, `,"redemption_id":`...)
	b = strconv.AppendQuote(b, redemption)
	b = append(b, `,"points":`...)
	b = strconv.AppendInt(b, points, 10)
	b = append(b, `,"at":"`...)
	b = at.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

// creditPoints appends an encoded credit and moves the balance.
func creditPoints(tx *bolt.Tx, customer string, points int64, credit []byte) error {
	b := tx.Bucket(bPoints)
	seq, err := b.NextSequence()
	if err != nil {
		return err
	}
	if err := b.Put(u64(seq), credit); err != nil {
		return err
	}
	bal := tx.Bucket(bBalances)
	cur := int64(getU64(bal.Get([]byte(customer))))
	return bal.Put([]byte(customer), u64(uint64(cur+points)))
}

// Points returns a customer's balance and credits, oldest first. Credits
// are kept in time order for the commit path (appends are the cheapest
// writes); listing one customer's scans them all, which a wallet API will
// replace with an index.
func (s *Store) Points(_ context.Context, customer string) (int64, []Credit, error) {
	var balance int64
	var credits []Credit
	err := s.db.View(func(tx *bolt.Tx) error {
		balance = int64(getU64(tx.Bucket(bBalances).Get([]byte(customer))))
		return tx.Bucket(bPoints).ForEach(func(_, v []byte) error {
			var cr Credit
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
