package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// A wallet is kept as a ledger (STYLE 18): its lots (each credit, with what
// remains of it), its transactions (each change, with the balance after
// it), and indexes that make a read or a spend touch only the lots that
// matter at that time, never all of them. Every key of a wallet starts with
// the customer's prefix (wprefix).
var (
	bWLots   = []byte("wallet_lots")   // prefix lot(8) -> lot
	bWExpiry = []byte("wallet_expiry") // prefix expiry(8) lot(8) -> remaining(8) active(8): lots with points left
	bWActive = []byte("wallet_active") // prefix active(8) lot(8) -> remaining(8): the same lots by activation
	bWSum    = []byte("wallet_sums")   // prefix -> remaining of indexed lots (8), debt (8)
	bWEarned = []byte("wallet_earned") // prefix day(8) -> points earned that UTC day (signed)
	bWTx     = []byte("wallet_tx")     // prefix seq(8) -> WalletTx JSON, oldest first
	bWKeys   = []byte("wallet_keys")   // idempotency key -> the answer given
	bWOwned  = []byte("wallet_owned")  // redemption id -> lots it credited and points it spent
	bWStock  = []byte("wallet_stock")  // reward id -> units claimed (8)
	bWDaily  = []byte("wallet_daily")  // prefix event type \x00 day(8) -> events credited that day (8)
	bWOut    = []byte("wallet_out")    // move id -> WalletMove JSON: points debited here, not yet acknowledged
	bWIn     = []byte("wallet_in")     // move id -> when credited: each move is credited once
	// bWChanged lists the wallets changed since a fleet's node last told
	// its peers their shares (TakeWalletChanges): customer -> nothing. It
	// exists only in a file opened with Config.WalletChanges.
	bWChanged     = []byte("wallet_changed")
	walletBuckets = [][]byte{bWLots, bWExpiry, bWActive, bWSum, bWEarned, bWTx, bWKeys, bWOwned, bWStock, bWDaily, bWOut, bWIn}
)

// never is the expiry key of a lot that never expires: it sorts last, so
// spending takes it last.
const never = math.MaxInt64

// errCorrupt: a wallet record that cannot be read.
var errCorrupt = errors.New("store: corrupt wallet record")

// lot is one credit of points.
type lot struct {
	id        uint64
	points    int64 // as credited
	remaining int64
	earned    int64 // unix nanos
	active    int64
	expiry    int64 // never: does not expire
	expired   int64 // points lost to expiry
	source    string
}

// wprefix is a customer's key prefix: its length, then it, so that no
// customer's keys run into another's.
func wprefix(customer string) []byte {
	b := make([]byte, 2, 2+len(customer)+16)
	binary.BigEndian.PutUint16(b, uint16(len(customer)))
	return append(b, customer...)
}

func key(prefix []byte, parts ...uint64) []byte {
	k := make([]byte, len(prefix), len(prefix)+8*len(parts))
	copy(k, prefix)
	for _, p := range parts {
		k = binary.BigEndian.AppendUint64(k, p)
	}
	return k
}

// lotFixed is the size of a lot's numbers, before its source.
const lotFixed = 48

func (l *lot) encode() []byte {
	b := make([]byte, 0, lotFixed+len(l.source))
	for _, v := range []int64{l.points, l.remaining, l.earned, l.active, l.expiry, l.expired} {
		b = binary.BigEndian.AppendUint64(b, uint64(v))
	}
	return append(b, l.source...)
}

func decodeLot(id uint64, b []byte) (*lot, error) {
	if len(b) < lotFixed {
		return nil, fmt.Errorf("%w: lot %d", errCorrupt, id)
	}
	v := func(i int) int64 { return int64(binary.BigEndian.Uint64(b[8*i:])) }
	return &lot{id: id, points: v(0), remaining: v(1), earned: v(2), active: v(3), expiry: v(4), expired: v(5), source: string(b[lotFixed:])}, nil
}

func getLot(tx *bolt.Tx, prefix []byte, id uint64) (*lot, error) {
	raw := tx.Bucket(bWLots).Get(key(prefix, id))
	if raw == nil {
		return nil, fmt.Errorf("%w: lot %d missing", errCorrupt, id)
	}
	return decodeLot(id, raw)
}

// putLot writes l and keeps its index entries: present with its remaining
// while it has points left, absent once it has none.
func putLot(tx *bolt.Tx, prefix []byte, l *lot) error {
	if err := tx.Bucket(bWLots).Put(key(prefix, l.id), l.encode()); err != nil {
		return err
	}
	ek, ak := key(prefix, uint64(l.expiry), l.id), key(prefix, uint64(l.active), l.id)
	if l.remaining <= 0 {
		if err := tx.Bucket(bWExpiry).Delete(ek); err != nil {
			return err
		}
		return tx.Bucket(bWActive).Delete(ak)
	}
	ev := binary.BigEndian.AppendUint64(u64(uint64(l.remaining)), uint64(l.active))
	if err := tx.Bucket(bWExpiry).Put(ek, ev); err != nil {
		return err
	}
	return tx.Bucket(bWActive).Put(ak, u64(uint64(l.remaining)))
}

// sums is a wallet's running totals as of its watermark mark (the time of
// its last write): what remains of the lots active by then (remaining) and
// of those not yet active (pending), and its debt (points taken back
// after they were spent). A read at t only visits the lots that became
// active between mark and t, so pending lots cost nothing either.
type sums struct{ remaining, pending, debt, mark int64 }

func getSums(tx *bolt.Tx, prefix []byte) sums {
	raw := tx.Bucket(bWSum).Get(prefix)
	if len(raw) < 32 {
		return sums{}
	}
	v := func(i int) int64 { return int64(binary.BigEndian.Uint64(raw[8*i:])) }
	return sums{v(0), v(1), v(2), v(3)}
}

func putSums(tx *bolt.Tx, prefix []byte, s sums) error {
	b := make([]byte, 0, 32)
	for _, v := range []int64{s.remaining, s.pending, s.debt, s.mark} {
		b = binary.BigEndian.AppendUint64(b, uint64(v))
	}
	return tx.Bucket(bWSum).Put(prefix, b)
}

// add moves l's share of the sums by n: pending while l is not active at
// the watermark.
func (s *sums) add(l *lot, n int64) error {
	var err error
	if l.active > s.mark {
		s.pending, err = checkedAdd(s.pending, n)
	} else {
		s.remaining, err = checkedAdd(s.remaining, n)
	}
	return err
}

// nanos is t as a lot's time; the zero time is never for an expiry.
func nanos(t time.Time) int64 { return t.UnixNano() }

func expiryNanos(t time.Time) int64 {
	if t.IsZero() {
		return never
	}
	return t.UnixNano()
}

func day(n int64) uint64 { return uint64(n / int64(24*time.Hour)) }

// addEarned moves the points earned on the UTC day of at.
func addEarned(tx *bolt.Tx, prefix []byte, at, points int64) error {
	k := key(prefix, day(at))
	b := tx.Bucket(bWEarned)
	cur := int64(getU64(b.Get(k)))
	return b.Put(k, u64(uint64(cur+points)))
}

// checkedAdd adds points that are each bounded by policies.MaxPoints; a
// sum past int64 is a corrupt wallet, not a silent wrap.
func checkedAdd(a, b int64) (int64, error) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, fmt.Errorf("%w: points overflow", errCorrupt)
	}
	return s, nil
}

// migrateWallets moves schema 3's point balances (a counter per customer)
// into wallets: each balance becomes one active lot that never expires,
// with its ledger entry. The buckets themselves exist by then (initSchema).
func migrateWallets(tx *bolt.Tx) error {
	now := time.Now()
	type bal struct {
		customer string
		points   int64
	}
	var all []bal
	err := tx.Bucket(bBalances).ForEach(func(k, v []byte) error {
		if p := int64(getU64(v)); p > 0 {
			all = append(all, bal{string(k), p})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, b := range all {
		if _, err := credit(tx, b.customer, b.points, policies.LotTerms{Active: now}, now, policies.TxAdjust, "migrated balance"); err != nil {
			return err
		}
	}
	return nil
}
