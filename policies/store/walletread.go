package store

import (
	"bytes"
	"encoding/binary"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// balanceAt is the wallet's spendable balance and pending points at at.
// It reads the running sums and only the lots that differ from them at
// that time: those not yet active and those expired but not yet swept
// (sweep runs on every write), so it costs the same with ten lots or ten
// thousand.
func balanceAt(tx *bolt.Tx, prefix []byte, at int64) (balance, pending int64) {
	s := getSums(tx, prefix)
	active, pending := s.remaining, s.pending
	if at >= s.mark {
		n := activeIn(tx, prefix, s.mark, at)
		active, pending = active+n, pending-n
	} else {
		n := activeIn(tx, prefix, at, s.mark) // a read of the past: caveat in doc.go
		active, pending = active-n, pending+n
	}
	var expired int64
	c := tx.Bucket(bWExpiry).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+16; k, v = c.Next() {
		if int64(binary.BigEndian.Uint64(k[len(prefix):])) > at {
			break
		}
		expired += int64(getU64(v))
	}
	return active - expired - s.debt, pending
}

// activeIn is what remains of the lots that become active in (from, to].
func activeIn(tx *bolt.Tx, prefix []byte, from, to int64) int64 {
	var n int64
	c := tx.Bucket(bWActive).Cursor()
	for k, v := c.Seek(key(prefix, uint64(from)+1)); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+16; k, v = c.Next() {
		if int64(binary.BigEndian.Uint64(k[len(prefix):])) > to {
			break
		}
		n += int64(getU64(v))
	}
	return n
}

// mature moves the watermark to now: the lots that became active since
// leave the pending sum for the active one.
func mature(tx *bolt.Tx, prefix []byte, now int64) error {
	s := getSums(tx, prefix)
	if now <= s.mark {
		return nil
	}
	n := activeIn(tx, prefix, s.mark, now)
	s.remaining, s.pending, s.mark = s.remaining+n, s.pending-n, now
	return putSums(tx, prefix, s)
}

// earnedIn is the points earned on the UTC days of the window ending at
// at: at most one entry a day is read, however many lots there are.
func earnedIn(tx *bolt.Tx, prefix []byte, at int64, window time.Duration) int64 {
	last := day(at)
	first := day(at - int64(window) + int64(24*time.Hour))
	var sum int64
	c := tx.Bucket(bWEarned).Cursor()
	for k, v := c.Seek(key(prefix, first)); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+8; k, v = c.Next() {
		if binary.BigEndian.Uint64(k[len(prefix):]) > last {
			break
		}
		sum += int64(getU64(v))
	}
	return sum
}

// expiring is what expires at the next three expiry times after at, of
// the lots active at at.
func expiring(tx *bolt.Tx, prefix []byte, at int64) []policies.Expiring {
	var out []policies.Expiring
	c := tx.Bucket(bWExpiry).Cursor()
	for k, v := c.Seek(key(prefix, uint64(at)+1)); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+16; k, v = c.Next() {
		exp := int64(binary.BigEndian.Uint64(k[len(prefix):]))
		if exp == never {
			break
		}
		if int64(binary.BigEndian.Uint64(v[8:])) > at {
			continue // pending at at
		}
		t := time.Unix(0, exp).UTC()
		if n := len(out); n > 0 && out[n-1].At.Equal(t) {
			out[n-1].Points += int64(getU64(v))
			continue
		}
		if len(out) == 3 {
			break
		}
		out = append(out, policies.Expiring{Points: int64(getU64(v)), At: t})
	}
	return out
}

// readBalances is a wallet as of at.
func readBalances(tx *bolt.Tx, customer string, at time.Time, window time.Duration) policies.Balances {
	prefix := wprefix(customer)
	n := nanos(at)
	var b policies.Balances
	b.Balance, b.Pending = balanceAt(tx, prefix, n)
	b.Earned = earnedIn(tx, prefix, n, window)
	b.Expiring = expiring(tx, prefix, n)
	return b
}
