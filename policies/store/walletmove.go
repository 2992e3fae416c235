package store

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// WalletMove is points of one wallet on their way to another node, with
// the terms of the lots they came from: debited here in the transaction
// that records the move, credited there at most once (cluster/doc.go,
// # Loyalty wallets).
//
// The same moves carry a gift card's balance (Card set, Customer its
// purse, CardPurse): a balance, like points, lives in one node's file.
type WalletMove struct {
	To       string     `json:"to"`
	Customer string     `json:"customer"`
	Lots     []MovedLot `json:"lots"`
	Card     *MovedCard `json:"card,omitempty"`
}

// MovedCard is part of a gift card's balance, with the card's terms.
type MovedCard struct {
	Code     string    `json:"code"`
	Campaign string    `json:"campaign"`
	Currency string    `json:"currency,omitempty"`
	Expiry   time.Time `json:"expiry,omitzero"`
	Amount   int64     `json:"amount"`
}

// CardPurse is policies.CardPurse: the key a gift card's balance moves
// under, beside the customers' wallets.
func CardPurse(code string) string { return policies.CardPurse(code) }

// IsCardPurse is policies.IsCardPurse.
func IsCardPurse(purse string) (string, bool) { return policies.IsCardPurse(purse) }

// MovedLot is part of a lot: its points and terms.
type MovedLot struct {
	Points int64     `json:"points"`
	Earned time.Time `json:"earned"`
	Active time.Time `json:"active"`
	Expiry time.Time `json:"expiry,omitzero"`
	Source string    `json:"source"`
}

// Points is what the move carries.
func (m *WalletMove) Points() int64 {
	if m.Card != nil {
		return m.Card.Amount
	}
	var n int64
	for _, l := range m.Lots {
		n += l.Points
	}
	return n
}

// MoveOut debits up to want points of customer's wallet (its active lots,
// expiring first) for node to, and logs the move as id in the same
// transaction; nil when the wallet has nothing to give.
func (s *Store) MoveOut(customer string, want int64, to, idPrefix string, now time.Time) (string, *WalletMove, error) {
	var id string
	var mv *WalletMove
	err := s.db.Update(func(tx *bolt.Tx) error {
		prefix := wprefix(customer)
		if err := sweep(tx, prefix, nanos(now)); err != nil {
			return err
		}
		bal, _ := balanceAt(tx, prefix, nanos(now))
		give := min(bal, want)
		if give <= 0 {
			return nil
		}
		seq, err := tx.Bucket(bWOut).NextSequence()
		if err != nil {
			return err
		}
		id = idPrefix + "/w" + strconv.FormatUint(seq, 10)
		takes, err := spend(tx, customer, give, now, policies.TxMove, "moved to "+to)
		if err != nil {
			return err
		}
		mv = &WalletMove{To: to, Customer: customer}
		for _, t := range takes {
			l, err := getLot(tx, prefix, t.Lot)
			if err != nil {
				return err
			}
			mv.Lots = append(mv.Lots, l.moved(t.Points))
		}
		raw, err := json.Marshal(mv)
		if err != nil {
			return err
		}
		return tx.Bucket(bWOut).Put([]byte(id), raw)
	})
	return id, mv, err
}

func (l *lot) moved(points int64) MovedLot {
	m := MovedLot{Points: points, Earned: time.Unix(0, l.earned).UTC(), Active: time.Unix(0, l.active).UTC(), Source: l.source}
	if l.expiry != never {
		m.Expiry = time.Unix(0, l.expiry).UTC()
	}
	return m
}

// MoveIn credits a move's lots with their terms, once: a move whose id is
// recorded is not credited again (dup true).
func (s *Store) MoveIn(id, from string, mv *WalletMove, now time.Time) (dup bool, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bWIn).Get([]byte(id)) != nil {
			dup = true
			return nil
		}
		if mv.Card != nil {
			if err := cardIn(tx, mv.Card, from, now); err != nil {
				return err
			}
		}
		for _, m := range mv.Lots {
			if m.Points <= 0 || m.Points > policies.MaxPoints {
				return fmt.Errorf("store: a move of %d points", m.Points)
			}
			terms := policies.LotTerms{Active: m.Active, Expiry: m.Expiry}
			if _, err := creditAs(tx, mv.Customer, m.Points, terms, now, m.Earned, policies.TxMove, "moved from "+from); err != nil {
				return err
			}
		}
		return tx.Bucket(bWIn).Put([]byte(id), u64(uint64(now.UnixNano())))
	})
	return dup, err
}

// MoveAcked forgets a move its receiver credited.
func (s *Store) MoveAcked(id string) error {
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bWOut).Delete([]byte(id)) })
}

// EachMoveOut calls fn with every move not yet acknowledged.
func (s *Store) EachMoveOut(fn func(id string, mv *WalletMove) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bWOut).ForEach(func(k, v []byte) error {
			var mv WalletMove
			if err := json.Unmarshal(v, &mv); err != nil {
				return fmt.Errorf("%w: %v", errCorrupt, err)
			}
			return fn(string(k), &mv)
		})
	})
}
