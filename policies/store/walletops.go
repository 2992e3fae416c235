package store

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// take is points spent from one lot.
type take struct {
	Lot    uint64 `json:"lot"`
	Points int64  `json:"points"`
}

// appendTx records one change of the wallet with the balance after it.
func appendTx(tx *bolt.Tx, prefix []byte, kind policies.TxKind, points int64, at int64, source string) (*policies.WalletTx, error) {
	bal, _ := balanceAt(tx, prefix, at)
	return appendTxAfter(tx, prefix, kind, points, at, source, bal)
}

// appendTxAfter is appendTx for a caller that already knows the balance
// after the change (it must be balanceAt(tx, prefix, at) as written).
func appendTxAfter(tx *bolt.Tx, prefix []byte, kind policies.TxKind, points int64, at int64, source string, bal int64) (*policies.WalletTx, error) {
	b := tx.Bucket(bWTx)
	seq, err := b.NextSequence()
	if err != nil {
		return nil, err
	}
	if ch := tx.Bucket(bWChanged); ch != nil { // a fleet's node: its share changed
		if err := ch.Put(slices.Clone(prefix[2:]), nil); err != nil {
			return nil, err
		}
	}
	wt := &policies.WalletTx{ID: "wt_" + strconv.FormatUint(seq, 10), At: time.Unix(0, at).UTC(), Kind: kind, Points: points, Balance: bal, Source: source}
	raw, err := encodeWalletTx(wt)
	if err != nil {
		return nil, err
	}
	return wt, b.Put(key(prefix, seq), raw)
}

// sweep expires the lots whose expiry is at or before now, each with its
// own transaction at its expiry time.
func sweep(tx *bolt.Tx, prefix []byte, now int64) error {
	if err := mature(tx, prefix, now); err != nil {
		return err
	}
	var due []uint64
	c := tx.Bucket(bWExpiry).Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+16; k, _ = c.Next() {
		if int64(binary.BigEndian.Uint64(k[len(prefix):])) > now {
			break
		}
		due = append(due, binary.BigEndian.Uint64(k[len(prefix)+8:]))
	}
	for _, id := range due {
		l, err := getLot(tx, prefix, id)
		if err != nil {
			return err
		}
		lost := l.remaining
		s := getSums(tx, prefix)
		if err := s.add(l, -lost); err != nil {
			return err
		}
		l.remaining, l.expired = 0, l.expired+lost
		if err := putLot(tx, prefix, l); err != nil {
			return err
		}
		if err := putSums(tx, prefix, s); err != nil {
			return err
		}
		if _, err := appendTx(tx, prefix, policies.TxExpire, -lost, l.expiry, "lot "+strconv.FormatUint(id, 10)); err != nil {
			return err
		}
	}
	return nil
}

// credit adds a lot of points on the given terms, paying any debt from it
// first, and records it as kind. It returns the lot's id.
func credit(tx *bolt.Tx, customer string, points int64, terms policies.LotTerms, now time.Time, kind policies.TxKind, source string) (uint64, error) {
	return creditAs(tx, customer, points, terms, now, now, kind, source)
}

// creditAs is credit of a lot earned at earned (a moved lot keeps the
// time it was first earned; it counts as earned only where it was).
func creditAs(tx *bolt.Tx, customer string, points int64, terms policies.LotTerms, now, earned time.Time, kind policies.TxKind, source string) (uint64, error) {
	prefix := wprefix(customer)
	at := nanos(now)
	if err := sweep(tx, prefix, at); err != nil {
		return 0, err
	}
	id, err := tx.Bucket(bWLots).NextSequence()
	if err != nil {
		return 0, err
	}
	s := getSums(tx, prefix)
	paid := min(s.debt, points)
	s.debt -= paid
	l := &lot{id: id, points: points, remaining: points - paid, earned: nanos(earned), active: nanos(terms.Active), expiry: expiryNanos(terms.Expiry), source: source}
	if err := s.add(l, l.remaining); err != nil {
		return 0, err
	}
	if err := putLot(tx, prefix, l); err != nil {
		return 0, err
	}
	if err := putSums(tx, prefix, s); err != nil {
		return 0, err
	}
	if kind != policies.TxMove {
		if err := addEarned(tx, prefix, at, points); err != nil {
			return 0, err
		}
	}
	_, err = appendTx(tx, prefix, kind, points, at, source)
	return id, err
}

// spend takes points from the active lots that expire first, or returns
// policies.ErrInsufficientPoints having written nothing but expiries.
func spend(tx *bolt.Tx, customer string, points int64, now time.Time, kind policies.TxKind, source string) ([]take, error) {
	prefix := wprefix(customer)
	at := nanos(now)
	if err := sweep(tx, prefix, at); err != nil {
		return nil, err
	}
	bal, _ := balanceAt(tx, prefix, at)
	if bal < points {
		return nil, policies.ErrInsufficientPoints
	}
	takes := pick(tx, prefix, points, at)
	s := getSums(tx, prefix)
	for _, t := range takes {
		l, err := getLot(tx, prefix, t.Lot)
		if err != nil {
			return nil, err
		}
		l.remaining -= t.Points
		if err := s.add(l, -t.Points); err != nil {
			return nil, err
		}
		if err := putLot(tx, prefix, l); err != nil {
			return nil, err
		}
	}
	if err := putSums(tx, prefix, s); err != nil {
		return nil, err
	}
	// The lots taken are active at at and unexpired (sweep ran), so the
	// balance drops by exactly what was taken: no need to read it again.
	_, err := appendTxAfter(tx, prefix, kind, -points, at, source, bal-points)
	return takes, err
}

// pick chooses the lots a spend takes, expiring first, skipping lots not
// yet active. It walks the expiry index, which also holds the pending
// lots; alongside, one step for each, it walks the active index up to at.
// Should that walk end first, the wallet has no more active lots than the
// steps taken, and pick takes from them instead of walking on past
// pending lots (a customer with many pending lots before a long-lived
// one). Either way the cost is the lots it takes or the active ones,
// whichever is fewer, never the pending ones.
func pick(tx *bolt.Tx, prefix []byte, points, at int64) []take {
	var out []take
	want := points
	in := func(k []byte) bool { return k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+16 }
	ac := tx.Bucket(bWActive).Cursor()
	ak, _ := ac.Seek(prefix)
	if at < 0 {
		ak = nil // active times before 1970 sort last: walk the expiry index alone
	}
	c := tx.Bucket(bWExpiry).Cursor()
	for k, v := c.Seek(prefix); points > 0 && in(k); k, v = c.Next() {
		if int64(binary.BigEndian.Uint64(v[8:])) <= at {
			n := min(int64(getU64(v)), points)
			out = append(out, take{Lot: binary.BigEndian.Uint64(k[len(prefix)+8:]), Points: n})
			points -= n
		}
		if ak == nil {
			continue
		}
		if in(ak) && int64(binary.BigEndian.Uint64(ak[len(prefix):])) <= at {
			ak, _ = ac.Next()
			continue
		}
		ak = nil
		if points > 0 {
			if from, ok := pickActive(tx, prefix, want, at); ok {
				return from
			}
		}
	}
	return out
}

// pickActive is pick from the lots of the active index active at at,
// sorted by expiry then id as the expiry index sorts them. It declines
// (false) when some lot became active before 1970 (its key sorts last).
func pickActive(tx *bolt.Tx, prefix []byte, points, at int64) ([]take, bool) {
	type cand struct {
		expiry    uint64
		id        uint64
		remaining int64
	}
	var all []cand
	c := tx.Bucket(bWActive).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+16; k, v = c.Next() {
		if int64(binary.BigEndian.Uint64(k[len(prefix):])) > at {
			break
		}
		all = append(all, cand{id: binary.BigEndian.Uint64(k[len(prefix)+8:]), remaining: int64(getU64(v))})
	}
	if k, _ := c.Seek(key(prefix, 1<<63)); k != nil && bytes.HasPrefix(k, prefix) && len(k) == len(prefix)+16 {
		return nil, false
	}
	lots := tx.Bucket(bWLots)
	for i := range all {
		raw := lots.Get(key(prefix, all[i].id))
		if len(raw) < lotFixed {
			return nil, false // the expiry walk reads no lot: leave the error to getLot
		}
		all[i].expiry = binary.BigEndian.Uint64(raw[32:])
	}
	slices.SortFunc(all, func(a, b cand) int {
		if a.expiry != b.expiry {
			return cmp.Compare(a.expiry, b.expiry)
		}
		return cmp.Compare(a.id, b.id)
	})
	var out []take
	for _, l := range all {
		if points <= 0 {
			break
		}
		n := min(l.remaining, points)
		out = append(out, take{Lot: l.id, Points: n})
		points -= n
	}
	return out, true
}

// giveBack returns spent points to the lots they came from.
func giveBack(tx *bolt.Tx, customer string, takes []take, now time.Time, source string) error {
	prefix := wprefix(customer)
	s := getSums(tx, prefix)
	var total int64
	for _, t := range takes {
		l, err := getLot(tx, prefix, t.Lot)
		if err != nil {
			return err
		}
		l.remaining += t.Points
		if err := s.add(l, t.Points); err != nil {
			return err
		}
		total += t.Points
		if err := putLot(tx, prefix, l); err != nil {
			return err
		}
	}
	if err := putSums(tx, prefix, s); err != nil {
		return err
	}
	if _, err := appendTx(tx, prefix, policies.TxRollback, total, nanos(now), source); err != nil {
		return err
	}
	return sweep(tx, prefix, nanos(now)) // a lot given back after its expiry expires now
}

// takeBack removes a credited lot: what remains of it leaves the wallet,
// what was spent of it becomes debt, and it no longer counts as earned.
func takeBack(tx *bolt.Tx, customer string, id uint64, now time.Time, source string) error {
	prefix := wprefix(customer)
	at := nanos(now)
	if err := sweep(tx, prefix, at); err != nil {
		return err
	}
	l, err := getLot(tx, prefix, id)
	if err != nil {
		return err
	}
	s := getSums(tx, prefix)
	if err := s.add(l, -l.remaining); err != nil {
		return err
	}
	s.debt += l.points - l.remaining - l.expired // what was spent of it (or paid a debt)
	l.remaining = 0
	if err := putLot(tx, prefix, l); err != nil {
		return err
	}
	if err := putSums(tx, prefix, s); err != nil {
		return err
	}
	if err := addEarned(tx, prefix, l.earned, -l.points); err != nil {
		return err
	}
	_, err = appendTx(tx, prefix, policies.TxRollback, -l.points, at, source)
	return err
}
