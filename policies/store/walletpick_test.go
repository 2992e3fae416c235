package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// pickByExpiry is pick as the expiry index alone gives it: the reference.
func pickByExpiry(tx *bolt.Tx, prefix []byte, points, at int64) []take {
	var out []take
	c := tx.Bucket(bWExpiry).Cursor()
	for k, v := c.Seek(prefix); points > 0 && k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+16; k, v = c.Next() {
		if int64(binary.BigEndian.Uint64(v[8:])) > at {
			continue
		}
		n := min(int64(getU64(v)), points)
		out = append(out, take{Lot: binary.BigEndian.Uint64(k[len(prefix)+8:]), Points: n})
		points -= n
	}
	return out
}

// TestPickMatchesExpiryOrder: whichever walk pick finishes with, it takes
// the same lots as walking the expiry index: wallets with few or many
// active and pending lots, ties of expiry, lots that never expire, lots
// active before 1970, spends at various times and of various sizes.
func TestPickMatchesExpiryOrder(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	rng := rand.New(rand.NewPCG(14, 14))
	base := t0.UnixNano()
	for w := range 60 {
		customer := fmt.Sprintf("c-%d", w)
		err := s.db.Update(func(tx *bolt.Tx) error {
			nActive, nPending := rng.IntN(6), rng.IntN(40)
			if w%5 == 0 {
				nActive, nPending = rng.IntN(40), rng.IntN(3)
			}
			for i := range nActive + nPending {
				active := time.Unix(0, base-int64(rng.IntN(100))*int64(time.Hour))
				if i >= nActive {
					active = time.Unix(0, base+int64(1+rng.IntN(100))*int64(time.Hour))
				}
				if w%7 == 3 && i == 0 {
					active = time.Unix(0, -int64(time.Hour)) // before 1970
				}
				var expiry time.Time
				switch rng.IntN(4) {
				case 0: // never
				case 1:
					expiry = time.Unix(0, base+int64(200)*int64(time.Hour)) // a tie
				default:
					expiry = active.Add(time.Duration(200+rng.IntN(1000)) * time.Hour)
				}
				if _, err := credit(tx, customer, int64(1+rng.IntN(50)), policies.LotTerms{Active: active, Expiry: expiry}, time.Unix(0, base-int64(200)*int64(time.Hour)), policies.TxAdjust, "t"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		s.db.View(func(tx *bolt.Tx) error {
			prefix := wprefix(customer)
			for _, at := range []int64{base - int64(200)*int64(time.Hour), base, base + int64(50)*int64(time.Hour)} {
				for _, points := range []int64{1, 7, 60, 400, 5000} {
					got, want := pick(tx, prefix, points, at), pickByExpiry(tx, prefix, points, at)
					if !slices.Equal(got, want) {
						t.Fatalf("%s at %d for %d: pick %v, by expiry %v", customer, at, points, got, want)
					}
				}
			}
			return nil
		})
	}
}
