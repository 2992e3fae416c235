package store

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// Gift card balances (SPEC §8). A card's balance lives in the file of the
// node that issued it (or that a fleet moved it to); every change is an
// entry of the card's ledger with the balance after it (STYLE 18), and a
// redemption's debits commit in its own transaction (apply).
var (
	bCards    = []byte("giftcards")     // code -> card JSON
	bCardTx   = []byte("giftcard_tx")   // code \x00 seq (8) -> GiftCardTx JSON
	bCardKeys = []byte("giftcard_keys") // code \x00 idempotency key -> GiftCardTx JSON
	// cardBuckets are made when a file is opened (initSchema).
	cardBuckets = [][]byte{bCards, bCardTx, bCardKeys}
)

var _ policies.GiftCardStore = (*Store)(nil)

// GiftCard implements policies.GiftCardStore.
func (s *Store) GiftCard(_ context.Context, code string) (*policies.GiftCard, error) {
	var c *policies.GiftCard
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		c, err = getCard(tx, code)
		return err
	})
	return c, err
}

// GiftCardView is a card and its ledger, oldest first.
func (s *Store) GiftCardView(_ context.Context, code string) (*policies.GiftCard, []policies.GiftCardTx, error) {
	var c *policies.GiftCard
	txs := []policies.GiftCardTx{}
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		if c, err = getCard(tx, code); err != nil {
			return err
		}
		prefix := append([]byte(code), 0)
		cur := tx.Bucket(bCardTx).Cursor()
		for k, v := cur.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, v = cur.Next() {
			var t policies.GiftCardTx
			if err := json.Unmarshal(v, &t); err != nil {
				return fmt.Errorf("%w: gift card entry: %v", errCorrupt, err)
			}
			txs = append(txs, t)
		}
		return nil
	})
	return c, txs, err
}

func getCard(tx *bolt.Tx, code string) (*policies.GiftCard, error) {
	raw := tx.Bucket(bCards).Get([]byte(code))
	if raw == nil {
		return nil, fmt.Errorf("%w: %q is not a gift card here", policies.ErrUnknownCode, code)
	}
	var c policies.GiftCard
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("%w: gift card %s: %v", errCorrupt, code, err)
	}
	return &c, nil
}

func putCard(tx *bolt.Tx, c *policies.GiftCard) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return tx.Bucket(bCards).Put([]byte(c.Code), raw)
}

// changeCard adds amount (signed) to card c's balance and writes the
// ledger entry; the caller has checked that it stays at or above zero.
func changeCard(tx *bolt.Tx, c *policies.GiftCard, amount int64, kind, source string, at time.Time) (*policies.GiftCardTx, error) {
	c.Balance += amount
	if err := putCard(tx, c); err != nil {
		return nil, err
	}
	b := tx.Bucket(bCardTx)
	seq, err := b.NextSequence()
	if err != nil {
		return nil, err
	}
	t := &policies.GiftCardTx{ID: "gc_" + strconv.FormatUint(seq, 10), At: at.UTC(), Kind: kind, Amount: amount, Balance: c.Balance, Source: source}
	raw, err := json.Marshal(t)
	if err != nil {
		return nil, err
	}
	key := binary.BigEndian.AppendUint64(append([]byte(c.Code), 0), seq)
	return t, b.Put(key, raw)
}

// issueCard makes code a card with terms' balance, at.
func issueCard(tx *bolt.Tx, code, campaign string, terms *policies.CardTerms, at time.Time, source string) error {
	c := &policies.GiftCard{Code: code, Campaign: campaign, Currency: terms.Currency, Expiry: terms.Expiry(at)}
	_, err := changeCard(tx, c, terms.Amount, policies.CardIssue, source, at)
	return err
}

// checkCards reads each card r pays with, inside the commit's
// transaction. With r.SettleCards a card that holds less than priced pays
// what it holds (changed reports that r's amounts moved); without, it is
// reported exhausted so that a fleet can move its balance here first.
func checkCards(tx *bolt.Tx, r *policies.Redemption, out map[string]policies.Reason) (map[string]policies.Reason, bool, error) {
	changed := false
	for i := range r.GiftCards {
		g := &r.GiftCards[i]
		if g.Amount == 0 {
			continue
		}
		var bal int64
		c, err := getCard(tx, g.Code)
		switch {
		case errors.Is(err, policies.ErrUnknownCode):
		case err != nil:
			return nil, false, err
		default:
			bal = c.Balance
		}
		if bal >= g.Amount && bal == g.Before {
			continue
		}
		if bal < g.Amount && !r.SettleCards {
			if out == nil {
				out = map[string]policies.Reason{}
			}
			out[policies.GiftCardKey(g.Code)] = policies.GiftCardEmpty
			continue
		}
		g.Amount, g.Before = min(g.Amount, max(bal, 0)), bal
		changed = true
	}
	return out, changed, nil
}

// debitCards takes what r pays from each card, in r's transaction.
func debitCards(tx *bolt.Tx, r *policies.Redemption) error {
	for _, g := range r.GiftCards {
		if g.Amount == 0 {
			continue
		}
		c, err := getCard(tx, g.Code)
		if err != nil {
			return err
		}
		if c.Balance < g.Amount { // checkCards ran in this transaction
			return fmt.Errorf("store: gift card %s holds %d, debiting %d", g.Code, c.Balance, g.Amount)
		}
		if _, err := changeCard(tx, c, -g.Amount, policies.CardRedeem, r.ID, r.CreatedAt); err != nil {
			return err
		}
	}
	return nil
}

// rollbackCards puts back what r took from its cards (Rollback runs once).
func rollbackCards(tx *bolt.Tx, r *policies.Redemption, at time.Time) error {
	for _, g := range r.GiftCards {
		if g.Amount == 0 {
			continue
		}
		c, err := getCard(tx, g.Code)
		if errors.Is(err, policies.ErrUnknownCode) {
			c, err = &policies.GiftCard{Code: g.Code, Campaign: g.Campaign}, nil
		}
		if err != nil {
			return err
		}
		if _, err := changeCard(tx, c, g.Amount, policies.CardRollback, r.ID, at); err != nil {
			return err
		}
	}
	return nil
}

// ChangeBalance tops a card up or takes from it, once per idempotency key
// (the same key with another amount: ErrIdempotencyConflict); a removal
// past zero is ErrBalanceBelowZero and writes nothing.
func (s *Store) ChangeBalance(_ context.Context, ch *policies.BalanceChange) (*policies.GiftCardTx, error) {
	if err := ch.Validate(); err != nil {
		return nil, err
	}
	var out *policies.GiftCardTx
	err := s.db.Update(func(tx *bolt.Tx) error {
		key := append(append([]byte(ch.Code), 0), ch.IdempotencyKey...)
		if raw := tx.Bucket(bCardKeys).Get(key); raw != nil {
			var prev policies.GiftCardTx
			if err := json.Unmarshal(raw, &prev); err != nil {
				return fmt.Errorf("%w: gift card key: %v", errCorrupt, err)
			}
			if prev.Amount != ch.Amount {
				return policies.ErrIdempotencyConflict
			}
			out = &prev
			return nil
		}
		c, err := getCard(tx, ch.Code)
		if err != nil {
			return err
		}
		if c.Balance+ch.Amount < 0 {
			return fmt.Errorf("%w: %s holds %d, removing %d", policies.ErrBalanceBelowZero, ch.Code, c.Balance, -ch.Amount)
		}
		if out, err = changeCard(tx, c, ch.Amount, policies.CardAdjust, "adjustment "+ch.IdempotencyKey, ch.At); err != nil {
			return err
		}
		raw, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return tx.Bucket(bCardKeys).Put(key, raw)
	})
	return out, err
}

// rewardCardSpec is the shape of the codes gift card rewards issue.
var rewardCardSpec = policies.CodeSpec{Count: 1, Prefix: "GC-", Pattern: "????-????-????"}

// issueRewardCard makes a new card for a claimed gift card reward, owned
// by the customer, in the claim's transaction (the code is replicated to
// a fleet like generated codes are).
func issueRewardCard(tx *bolt.Tx, c *policies.Claim) (string, error) {
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		return "", err
	}
	rng := rand.New(rand.NewChaCha8(seed))
	codes := tx.Bucket(bCodes)
	code := draw(rng, &rewardCardSpec)
	for codes.Get([]byte(code)) != nil { // 26^12 codes: a clash is rare
		code = draw(rng, &rewardCardSpec)
	}
	now := c.At.UTC()
	cd := &policies.Code{Code: code, Campaign: c.Card.Campaign, State: policies.CodeStateActive, MaxUses: 1, Owner: c.Customer, CreatedAt: now}
	if err := putCode(tx, cd); err != nil {
		return "", err
	}
	if err := logCodes(tx, c.Card.Campaign, []string{code}, now); err != nil {
		return "", err
	}
	return code, issueCard(tx, code, c.Card.Campaign, &c.Card.Terms, now, "reward "+c.Reward.ID+" for "+c.Customer)
}

// MoveCardOut debits up to want of card code's balance for node to, and
// logs the move as id in the same transaction, as MoveOut does for
// points; nil when the card holds nothing here or has expired.
func (s *Store) MoveCardOut(code string, want int64, to, idPrefix string, now time.Time) (string, *WalletMove, error) {
	var id string
	var mv *WalletMove
	err := s.db.Update(func(tx *bolt.Tx) error {
		c, err := getCard(tx, code)
		if errors.Is(err, policies.ErrUnknownCode) {
			return nil
		}
		if err != nil {
			return err
		}
		give := min(c.Balance, want)
		if give <= 0 || (!c.Expiry.IsZero() && !now.Before(c.Expiry)) {
			return nil
		}
		seq, err := tx.Bucket(bWOut).NextSequence()
		if err != nil {
			return err
		}
		id = idPrefix + "/g" + strconv.FormatUint(seq, 10)
		if _, err := changeCard(tx, c, -give, policies.CardMove, "moved to "+to, now); err != nil {
			return err
		}
		mv = &WalletMove{To: to, Customer: CardPurse(code), Lots: []MovedLot{},
			Card: &MovedCard{Code: code, Campaign: c.Campaign, Currency: c.Currency, Expiry: c.Expiry, Amount: give}}
		raw, err := json.Marshal(mv)
		if err != nil {
			return err
		}
		return tx.Bucket(bWOut).Put([]byte(id), raw)
	})
	return id, mv, err
}

// cardIn credits a moved balance to its card here, making the card with
// the move's terms when this file has none of it.
func cardIn(tx *bolt.Tx, m *MovedCard, from string, now time.Time) error {
	if m.Amount <= 0 || m.Amount > policies.MaxAmount || !policies.ValidCode(m.Code) {
		return fmt.Errorf("store: a move of %d of card %q", m.Amount, m.Code)
	}
	c, err := getCard(tx, m.Code)
	if errors.Is(err, policies.ErrUnknownCode) {
		c, err = &policies.GiftCard{Code: m.Code, Campaign: m.Campaign, Currency: m.Currency, Expiry: m.Expiry}, nil
	}
	if err != nil {
		return err
	}
	_, err = changeCard(tx, c, m.Amount, policies.CardMove, "moved from "+from, now)
	return err
}

// CardBalance is what card code holds in this file (0: none, or not a
// card here).
func (s *Store) CardBalance(code string) int64 {
	c, err := s.GiftCard(context.Background(), code)
	if err != nil {
		return 0
	}
	return c.Balance
}
