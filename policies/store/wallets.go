package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

var _ policies.WalletStore = (*Store)(nil)

// Balances implements policies.WalletStore. An unknown customer has an
// empty wallet. As of a time before the wallet's last change, lots count
// with what remains of them now (see doc.go's caveats).
func (s *Store) Balances(_ context.Context, customer string, at time.Time, window time.Duration) (policies.Balances, error) {
	var b policies.Balances
	err := s.db.View(func(tx *bolt.Tx) error {
		b = readBalances(tx, customer, at, window)
		return nil
	})
	return b, err
}

// Transactions implements policies.WalletStore, reading the ledger in
// pages so that a long one is streamed without holding one transaction.
func (s *Store) Transactions(ctx context.Context, customer string, fn func(*policies.WalletTx) error) error {
	prefix := wprefix(customer)
	from := prefix
	for {
		page, next, err := s.txPage(prefix, from, 1024)
		if err != nil {
			return err
		}
		for _, wt := range page {
			if err := fn(wt); err != nil {
				return err
			}
		}
		if next == nil {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		from = next
	}
}

func (s *Store) txPage(prefix, from []byte, n int) ([]*policies.WalletTx, []byte, error) {
	var page []*policies.WalletTx
	var next []byte
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bWTx).Cursor()
		for k, v := c.Seek(from); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8; k, v = c.Next() {
			if len(page) == n {
				next = bytes.Clone(k)
				return nil
			}
			var wt policies.WalletTx
			if err := json.Unmarshal(v, &wt); err != nil {
				return fmt.Errorf("%w: %v", errCorrupt, err)
			}
			page = append(page, &wt)
		}
		return nil
	})
	return page, next, err
}

// Adjust implements policies.WalletStore: a credit is an active lot on
// a.Terms, a debit spends like a reward; the same key answers the same
// entry again (another body under it is policies.ErrIdempotencyConflict).
func (s *Store) Adjust(_ context.Context, a *policies.Adjustment) (*policies.WalletTx, error) {
	if a.Points == 0 || a.Points > policies.MaxPoints || a.Points < -policies.MaxPoints {
		return nil, fmt.Errorf("%w: points must be non-zero and within ±%d, got %d", policies.ErrBadAdjustment, int64(policies.MaxPoints), a.Points)
	}
	var out *policies.WalletTx
	err := s.db.Update(func(tx *bolt.Tx) error {
		k := []byte("adjust\x00" + a.IdempotencyKey)
		body := []byte(a.Customer + "\x00" + strconv.FormatInt(a.Points, 10) + "\x00" + a.Reason)
		if prev := tx.Bucket(bWKeys).Get(k); prev != nil {
			return replayKeyed(prev, body, &out)
		}
		err := s.reportTier(tx, a.Program, a.Customer, a.At, "adjust:"+a.IdempotencyKey, func() (err error) {
			out, err = adjust(tx, a)
			return err
		})
		if err != nil {
			return err
		}
		return putKeyed(tx, k, body, out)
	})
	return out, err
}

func adjust(tx *bolt.Tx, a *policies.Adjustment) (*policies.WalletTx, error) {
	source := "adjust: " + a.Reason
	if a.Points > 0 {
		if _, err := credit(tx, a.Customer, a.Points, a.Terms, a.At, policies.TxAdjust, source); err != nil {
			return nil, err
		}
	} else if _, err := spend(tx, a.Customer, -a.Points, a.At, policies.TxAdjust, source); err != nil {
		return nil, err
	}
	return lastTx(tx, wprefix(a.Customer))
}

// lastTx is the wallet's newest ledger entry.
func lastTx(tx *bolt.Tx, prefix []byte) (*policies.WalletTx, error) {
	c := tx.Bucket(bWTx).Cursor()
	k, v := c.Seek(key(prefix, 1<<63))
	if k == nil {
		k, v = c.Last()
	} else {
		k, v = c.Prev()
	}
	if k == nil || !bytes.HasPrefix(k, prefix) {
		return nil, fmt.Errorf("%w: no ledger entry", errCorrupt)
	}
	var wt policies.WalletTx
	if err := json.Unmarshal(v, &wt); err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	return &wt, nil
}

// putKeyed stores the answer to an idempotent wallet call with the body
// it answered: body \x01 answer JSON.
func putKeyed(tx *bolt.Tx, k, body []byte, answer any) error {
	raw, err := json.Marshal(answer)
	if err != nil {
		return err
	}
	v := append(append(bytes.Clone(body), 1), raw...)
	return tx.Bucket(bWKeys).Put(k, v)
}

// splitKeyed is a record putKeyed wrote: its body and its answer's JSON.
func splitKeyed(prev []byte) (body, answer []byte, ok bool) {
	return bytes.Cut(prev, []byte{1})
}

// replayKeyed decodes the stored answer into out, or refuses another body.
func replayKeyed(prev, body []byte, out any) error {
	was, answer, ok := splitKeyed(prev)
	if !ok {
		return fmt.Errorf("%w: idempotency record", errCorrupt)
	}
	if !bytes.Equal(was, body) {
		return policies.ErrIdempotencyConflict
	}
	return json.Unmarshal(answer, out)
}

// Claimed implements policies.WalletStore.
func (s *Store) Claimed(_ context.Context, reward string) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		n = int64(getU64(tx.Bucket(bWStock).Get([]byte(reward))))
		return nil
	})
	return n, err
}
