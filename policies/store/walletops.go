package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
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
	b := tx.Bucket(bWTx)
	seq, err := b.NextSequence()
	if err != nil {
		return nil, err
	}
	bal, _ := balanceAt(tx, prefix, at)
	wt := &policies.WalletTx{ID: "wt_" + strconv.FormatUint(seq, 10), At: time.Unix(0, at).UTC(), Kind: kind, Points: points, Balance: bal, Source: source}
	raw, err := json.Marshal(wt)
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
	if bal, _ := balanceAt(tx, prefix, at); bal < points {
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
	_, err := appendTx(tx, prefix, kind, -points, at, source)
	return takes, err
}

// pick chooses the lots a spend takes, expiring first, skipping lots not
// yet active; it reads only the lots it takes and the pending ones.
func pick(tx *bolt.Tx, prefix []byte, points, at int64) []take {
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
