package store

import (
	"encoding/binary"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// expiryBatch bounds the holds one expiry transaction releases, and so
// how long it holds the write lock beside its fsync (one fsync for many
// holds is what lets expiry keep up: BenchmarkExpiry releases 100,000
// holds expiring over ten seconds at most 351-589 ms late,
// docs/reservations.md).
const expiryBatch = 4096

// expiryTick is the least time between two expiry runs: at most this late
// (a release within a second is the promise), and one fsync per tick
// however fast holds expire.
const expiryTick = 50 * time.Millisecond

// expirer releases holds at their expiry. It sleeps until the earliest
// expiry in bHolds (one timer), so its cost is a cursor seek per wake-up
// and a release per hold, however many are open; a new hold that expires
// sooner than the timer wakes it (added). A hold whose expiry passed while
// the process was down is released at start.
type expirer struct {
	mu   sync.Mutex
	next time.Time // when the timer fires; zero: not set
	wake chan struct{}
	done chan struct{}
}

func newExpirer() *expirer {
	return &expirer{wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// added tells the expirer of a hold committed with expiry at.
func (x *expirer) added(at time.Time) {
	x.mu.Lock()
	sooner := x.next.IsZero() || at.Before(x.next)
	if sooner {
		x.next = at
	}
	x.mu.Unlock()
	if sooner {
		select {
		case x.wake <- struct{}{}:
		default:
		}
	}
}

// expireLoop runs until the store stops.
func (s *Store) expireLoop() {
	x := s.expiry
	defer close(x.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		next, ok := s.releaseDue()
		x.mu.Lock()
		x.next = time.Time{}
		if ok {
			x.next = next
		}
		x.mu.Unlock()
		wait := time.Hour
		if ok { // never sooner than expiryTick after this run: holds expiring close together share a transaction
			wait = max(expiryTick, time.Until(next))
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
		select {
		case <-s.stop:
			return
		case <-x.wake:
		case <-timer.C:
		}
	}
}

// releaseDue releases the holds whose expiry has come, a batch per
// transaction, and returns the next expiry (ok false: no hold stands).
func (s *Store) releaseDue() (next time.Time, ok bool) {
	for {
		now := s.now()
		n := 0
		err := s.db.Update(func(tx *bolt.Tx) error {
			c := tx.Bucket(bHolds).Cursor()
			var due []string
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				at := time.Unix(0, int64(binary.BigEndian.Uint64(k[:8])))
				if at.After(now) || len(due) == expiryBatch {
					next, ok = at, true
					break
				}
				due = append(due, string(k[8:]))
			}
			for _, id := range due {
				if _, err := s.release(tx, id, now, policies.HoldExpired); err != nil {
					return err
				}
			}
			n = len(due)
			tx.OnCommit(func() {
				for _, id := range due {
					s.holds.drop(id)
				}
			})
			return nil
		})
		if err != nil || n < expiryBatch {
			if err != nil { // the file failed: try again shortly
				return now.Add(100 * time.Millisecond), true
			}
			return next, ok
		}
		next, ok = time.Time{}, false
	}
}

// nextKnown is when the expirer next wakes (zero: no hold stands).
func (x *expirer) nextKnown() time.Time {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.next
}
