package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/money"
)

// bPeriodUsage counts per-period limits (SPEC §6): a campaign's use in one
// period and each customer's. Keys start with the period's end, so that
// the counters of ended periods are a prefix of the bucket and pruning
// them reads nothing else:
//
//	end (8, unix seconds) campaign \x00 period key            -> count (8) spent (8)
//	end (8, unix seconds) campaign \x00 period key \x00 customer -> count (8)
var (
	bPeriodUsage  = []byte("period_usage")
	periodBuckets = [][]byte{bPeriodUsage}
)

var _ policies.PeriodUsage = (*Store)(nil)

// periodUsageKey is the key of campaign's counter in period (a
// policies.Period Key), or of customer's when customer is not "".
func periodUsageKey(campaign, period, customer string) []byte {
	end, _ := policies.PeriodKeyEnd(period)
	k := make([]byte, 8, 8+len(campaign)+len(period)+len(customer)+2)
	binary.BigEndian.PutUint64(k, uint64(max(0, end.Unix())))
	k = append(k, campaign...)
	k = append(k, 0)
	k = append(k, period...)
	if customer != "" {
		k = append(k, 0)
		k = append(k, customer...)
	}
	return k
}

// UsedIn implements policies.PeriodUsage: this node's counts, the
// campaign's and its period's, in one read.
func (s *Store) UsedIn(_ context.Context, campaign, period, customer string) (policies.Used, error) {
	var u policies.Used
	err := s.db.View(func(tx *bolt.Tx) error {
		u = readUsage(tx, campaign, customer)
		u.PeriodRedemptions, u.PeriodCustomer, u.PeriodSpent = readPeriodUsage(tx, campaign, period, customer)
		return nil
	})
	return u, err
}

func readPeriodUsage(tx *bolt.Tx, campaign, period, customer string) (count, customerCount, spent int64) {
	b := tx.Bucket(bPeriodUsage)
	if raw := b.Get(periodUsageKey(campaign, period, "")); len(raw) == 16 {
		count = int64(binary.BigEndian.Uint64(raw[:8]))
		spent = int64(binary.BigEndian.Uint64(raw[8:]))
	}
	if customer != "" {
		customerCount = int64(getU64(b.Get(periodUsageKey(campaign, period, customer))))
	}
	return count, customerCount, spent
}

// withPeriod fills u's period counts of c (nothing without a period).
func withPeriod(tx *bolt.Tx, c *policies.RedeemedCampaign, customer string, u policies.Used) policies.Used {
	if c.Period != "" {
		u.PeriodRedemptions, u.PeriodCustomer, u.PeriodSpent = readPeriodUsage(tx, c.Campaign, c.Period, customer)
	}
	return u
}

// addPeriodUsage moves c's counts in its period by n redemptions (±1) and
// n × its amount. A rollback (n < 0) of a period whose counters were
// pruned writes nothing: the period is over.
func addPeriodUsage(tx *bolt.Tx, c *policies.RedeemedCampaign, customer string, n int64) error {
	if c.Period == "" {
		return nil
	}
	b := tx.Bucket(bPeriodUsage)
	key := periodUsageKey(c.Campaign, c.Period, "")
	raw := b.Get(key)
	if raw == nil && n < 0 {
		return nil
	}
	var count, spent int64
	if len(raw) == 16 {
		count, spent = int64(binary.BigEndian.Uint64(raw[:8])), int64(binary.BigEndian.Uint64(raw[8:]))
	}
	out := make([]byte, 16)
	binary.BigEndian.PutUint64(out[:8], uint64(max(0, count+n)))
	binary.BigEndian.PutUint64(out[8:], uint64(max(0, money.Saturating(max(0, spent), n*c.Amount))))
	if err := b.Put(key, out); err != nil {
		return err
	}
	if customer == "" {
		return nil
	}
	ckey := periodUsageKey(c.Campaign, c.Period, customer)
	if cur := b.Get(ckey); cur != nil || n > 0 {
		return b.Put(ckey, u64(uint64(max(0, int64(getU64(cur))+n))))
	}
	return nil
}

// pruneBatch bounds what one pruning transaction deletes, so that the
// commit loop never waits long behind it.
const pruneBatch = 10000

// PrunePeriods deletes what per-period limits kept of periods that ended
// before cutoff (PeriodCutoff; zero deletes nothing): their counters, and the rights a fleet holds, consumed
// and minted of them. It returns how many records went. Nothing reads a
// period that far back: the engine prices the request's own period, and
// minting never goes back (cluster).
func (s *Store) PrunePeriods(cutoff time.Time) (int, error) {
	if cutoff.IsZero() {
		return 0, nil
	}
	// Recorded first: whatever goes below is refused from now on, even if
	// the deleting is cut short.
	err := s.UpdateFleet(func(f *FleetTx) error {
		if !cutoff.After(f.PrunedBefore()) {
			return nil
		}
		return f.tx.Bucket(bMeta).Put(periodPruned, u64(uint64(cutoff.UnixNano())))
	})
	if err != nil {
		return 0, err
	}
	total := 0
	for {
		n, err := s.prunePeriodUsage(cutoff)
		total += n
		if err != nil || n < pruneBatch {
			break
		}
	}
	n, err := s.prunePeriodRights(cutoff)
	return total + n, err
}

func (s *Store) prunePeriodUsage(cutoff time.Time) (int, error) {
	limit := make([]byte, 8)
	binary.BigEndian.PutUint64(limit, uint64(max(0, cutoff.Unix())))
	var keys [][]byte
	_ = s.db.View(func(tx *bolt.Tx) error { // most runs find nothing: no write, no fsync
		c := tx.Bucket(bPeriodUsage).Cursor()
		for k, _ := c.First(); k != nil && len(keys) < pruneBatch && len(k) >= 8 && bytes.Compare(k[:8], limit) < 0; k, _ = c.Next() {
			keys = append(keys, bytes.Clone(k))
		}
		return nil
	})
	return len(keys), s.deleteAll(bPeriodUsage, keys)
}

// deleteAll deletes keys of bucket in one transaction; none: no
// transaction. A key already gone is no error.
func (s *Store) deleteAll(bucket []byte, keys [][]byte) error {
	if len(keys) == 0 {
		return nil
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

// prunePeriodRights walks the rights and minted records, few next to the
// counters: limits and the generated codes whose uses moved.
func (s *Store) prunePeriodRights(cutoff time.Time) (int, error) {
	n := 0
	for _, name := range [][]byte{bRights, bMinted} {
		var keys [][]byte
		_ = s.db.View(func(tx *bolt.Tx) error {
			return tx.Bucket(name).ForEach(func(k, _ []byte) error {
				if rk, ok := parseRightsKey(k); ok && rk.Period != "" {
					if end, ok := policies.PeriodKeyEnd(rk.Period); ok && end.Before(cutoff) {
						keys = append(keys, bytes.Clone(k))
					}
				}
				return nil
			})
		})
		// Rights of an ended period are never spent again; one credited
		// between the read and the delete (a late transfer) goes with it.
		if err := s.deleteAll(name, keys); err != nil {
			return n, err
		}
		n += len(keys)
	}
	return n, nil
}

// pruneLoop prunes ended periods every interval until the store closes.
func (s *Store) pruneLoop(interval time.Duration) {
	defer close(s.pruned)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		// A failed pruning (the file closing, say) is tried again at the
		// next tick; nothing depends on it but the file's size.
		_, _ = s.PrunePeriods(s.PeriodCutoff())
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
	}
}

// pruned reports whether period (a Period's Key, or "") ended before
// cutoff: what it counted may be gone.
func pruned(period string, cutoff time.Time) bool {
	if period == "" || cutoff.IsZero() {
		return false
	}
	end, ok := policies.PeriodKeyEnd(period)
	return ok && end.Before(cutoff)
}

// periodMark is the meta key of the latest request time committed with
// per-period limits (unix nanoseconds): see policies.PeriodCutoff.
var periodMark = []byte("period_mark")

// markPeriods moves the mark to r's request time if r counted in a
// period and is later.
func markPeriods(tx *bolt.Tx, r *policies.Redemption) error {
	if r.RequestedAt.IsZero() || !slices.ContainsFunc(r.Campaigns, func(c policies.RedeemedCampaign) bool { return c.Period != "" }) {
		return nil
	}
	meta := tx.Bucket(bMeta)
	if at := r.RequestedAt.UnixNano(); at > int64(getU64(meta.Get(periodMark))) {
		return meta.Put(periodMark, u64(uint64(at)))
	}
	return nil
}

// periodPruned is the meta key of the latest cutoff pruned with (unix
// nanoseconds): periods that ended before it may be gone.
var periodPruned = []byte("period_pruned")

// PeriodCutoff is before when a period must have ended for its counters
// and rights to be forgotten, by now and the latest request time
// committed (policies.PeriodCutoff).
func (f *FleetTx) PeriodCutoff(now time.Time) time.Time {
	var mark time.Time
	if ns := int64(getU64(f.tx.Bucket(bMeta).Get(periodMark))); ns > 0 {
		mark = time.Unix(0, ns)
	}
	return policies.PeriodCutoff(now, mark)
}

// PrunedBefore is the latest cutoff this file was pruned with: a period
// that ended before it may have lost its counters and rights, so nothing
// may count in it again (zero: never pruned).
func (f *FleetTx) PrunedBefore() time.Time {
	if ns := int64(getU64(f.tx.Bucket(bMeta).Get(periodPruned))); ns > 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// PeriodCutoff is FleetTx.PeriodCutoff by the store's clock.
func (s *Store) PeriodCutoff() time.Time {
	var cutoff time.Time
	_ = s.ViewFleet(func(f *FleetTx) error {
		cutoff = f.PeriodCutoff(s.now())
		return nil
	})
	return cutoff
}
