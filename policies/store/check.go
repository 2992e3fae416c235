package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// Mismatch is a counter that does not say what the ledger says.
type Mismatch struct {
	// What is the counter: usage.redemptions, usage.spent,
	// customer.redemptions, code.uses, wallet.points or webhook.pending.
	What string
	// Key names it: a campaign, campaign/customer, a code or a customer.
	Key string
	// Counter is what the counter holds; Ledger what the redemptions (or,
	// for a wallet's running sums, its lots) add up to.
	Counter, Ledger int64
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s %q: counter %d, ledger %d", m.What, m.Key, m.Counter, m.Ledger)
}

// CheckReport is what Check found.
type CheckReport struct {
	Redemptions int // redemptions read, rolled back included
	Counters    int // counters compared
	Mismatches  []Mismatch
}

// tally is what the ledger says each counter should hold.
type tally map[string]map[string]int64 // what -> key -> value

func (t tally) add(what, key string, n int64) {
	if t[what] == nil {
		t[what] = map[string]int64{}
	}
	t[what][key] += n
}

// Check recomputes the counters from the ledger, in one read transaction,
// and lists those that differ: each campaign's usage (redemptions and
// amount spent) and per-customer count from the redemptions that stand,
// each generated code's uses from the redemptions that used it, each
// wallet's running sums from its lots, each webhook endpoint's pending
// count from its queue. It changes nothing.
func (s *Store) Check(ctx context.Context) (*CheckReport, error) {
	rep := &CheckReport{}
	err := s.db.View(func(tx *bolt.Tx) error {
		want := tally{}
		if err := tallyRedemptions(ctx, tx, want, rep); err != nil {
			return err
		}
		if err := tallyWallets(tx, want); err != nil {
			return err
		}
		tallyOutbox(tx, want) // notices.go
		have, err := counters(tx)
		if err != nil {
			return err
		}
		compare(have, want, rep)
		return nil
	})
	return rep, err
}

func tallyRedemptions(ctx context.Context, tx *bolt.Tx, want tally, rep *CheckReport) error {
	if err := tallyRecords(ctx, tx, bRedemptions, want, rep); err != nil {
		return err
	}
	return tallyRecords(ctx, tx, bHeldRecs, want, rep) // holds take as redemptions do
}

func tallyRecords(ctx context.Context, tx *bolt.Tx, bucket []byte, want tally, rep *CheckReport) error {
	return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var r policies.Redemption
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("redemption %s is corrupt: %w", k, err)
		}
		rep.Redemptions++
		if r.Status != policies.Redeemed && r.Status != policies.Held { // a hold takes as a redemption does
			return nil
		}
		for _, c := range r.Campaigns {
			want.add("usage.redemptions", c.Campaign, 1)
			want.add("usage.spent", c.Campaign, c.Amount)
			if r.CustomerID != "" {
				want.add("customer.redemptions", c.Campaign+"/"+r.CustomerID, 1)
			}
			if c.UniqueCode {
				want.add("code.uses", c.Code, 1)
			}
		}
		return nil
	})
}

// tallyWallets adds up, for each wallet, what remains of its lots with
// points left (the expiry index, one entry a lot): the running sums must
// hold the same, split between active and pending.
func tallyWallets(tx *bolt.Tx, want tally) error {
	return tx.Bucket(bWExpiry).ForEach(func(k, v []byte) error {
		if len(k) < 2 || len(v) < 8 {
			return fmt.Errorf("wallet lot index entry %x is corrupt", k)
		}
		n := 2 + int(binary.BigEndian.Uint16(k))
		if len(k) != n+16 {
			return fmt.Errorf("wallet lot index entry %x is corrupt", k)
		}
		want.add("wallet.points", string(k[2:n]), int64(binary.BigEndian.Uint64(v)))
		return nil
	})
}

// counters reads every counter the file keeps.
func counters(tx *bolt.Tx) (tally, error) {
	have := tally{}
	_ = tx.Bucket(bUsage).ForEach(func(k, v []byte) error {
		if len(v) == 16 {
			have.add("usage.redemptions", string(k), int64(binary.BigEndian.Uint64(v[:8])))
			have.add("usage.spent", string(k), int64(binary.BigEndian.Uint64(v[8:])))
		}
		return nil
	})
	_ = tx.Bucket(bCustomers).ForEach(func(k, v []byte) error {
		campaign, customer := splitCustomerKey(k)
		have.add("customer.redemptions", campaign+"/"+customer, int64(getU64(v)))
		return nil
	})
	_ = tx.Bucket(bWSum).ForEach(func(k, v []byte) error {
		if len(k) >= 2 && len(v) >= 32 {
			s := getSums(tx, k)
			have.add("wallet.points", string(k[2:]), s.remaining+s.pending)
		}
		return nil
	})
	if err := outboxCounters(tx, have); err != nil {
		return nil, err
	}
	err := tx.Bucket(bCodes).ForEach(func(k, v []byte) error {
		var c policies.Code
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("code %s is corrupt: %w", k, err)
		}
		have.add("code.uses", c.Code, c.Uses)
		return nil
	})
	return have, err
}

func splitCustomerKey(k []byte) (campaign, customer string) {
	for i, b := range k {
		if b == 0 {
			return string(k[:i]), string(k[i+1:])
		}
	}
	return string(k), ""
}

// compare lists every counter of have and want that differ, a missing
// one counting as 0, in a stable order.
func compare(have, want tally, rep *CheckReport) {
	for _, what := range []string{"usage.redemptions", "usage.spent", "customer.redemptions", "code.uses", "wallet.points", "webhook.pending"} {
		keys := map[string]struct{}{}
		for k := range have[what] {
			keys[k] = struct{}{}
		}
		for k := range want[what] {
			keys[k] = struct{}{}
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			rep.Counters++
			if h, w := have[what][k], want[what][k]; h != w {
				rep.Mismatches = append(rep.Mismatches, Mismatch{What: what, Key: k, Counter: h, Ledger: w})
			}
		}
	}
}
