package store

import (
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
)

// encodeCredit is a policies.Credit's stored JSON, written by hand: it is
// on the commit path of every redemption that earns points.
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
