package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// Gift card balances (SPEC §8). A card's balance lives in the file of the
// node that issued it (or that a fleet moved it to); every change is an
// entry of the card's ledger with the balance after it (STYLE 18), and a
// redemption's debits commit in its own transaction (apply).
//
// The ledger is one append-only log of every card's entries, keyed by a
// global sequence, each pointing back to the card's previous one; a card's
// record holds its balance and its last entry. So a debit rewrites one
// small record and appends one entry (a busy commit dirties no page per
// card of the log), and a card's ledger is its chain, read backwards.
var (
	bCards    = []byte("giftcards")     // code -> balance (8) + last entry (8) + terms (cardenc.go)
	bCardTx   = []byte("giftcard_tx")   // seq (8) -> previous entry of the card (8) + the entry (cardenc.go)
	bCardKeys = []byte("giftcard_keys") // code \x00 idempotency key -> GiftCardTx JSON
	// cardBuckets are made when a file is opened (initSchema).
	cardBuckets = [][]byte{bCards, bCardTx, bCardKeys}
)

var _ policies.GiftCardStore = (*Store)(nil)

// cardKeyAt is the key in bCardKeys of card code's change under an
// idempotency key.
func cardKeyAt(code, key string) []byte { return []byte(code + "\x00" + key) }

// GiftCard implements policies.GiftCardStore.
func (s *Store) GiftCard(_ context.Context, code string) (*policies.GiftCard, error) {
	var c *policies.GiftCard
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		c, _, err = getCard(tx, code)
		return err
	})
	return c, err
}

// GiftCardView is a card and its ledger, oldest first.
func (s *Store) GiftCardView(_ context.Context, code string) (*policies.GiftCard, []policies.GiftCardTx, error) {
	var c *policies.GiftCard
	txs := []policies.GiftCardTx{}
	err := s.db.View(func(tx *bolt.Tx) error {
		var last uint64
		var err error
		if c, last, err = getCard(tx, code); err != nil {
			return err
		}
		log := tx.Bucket(bCardTx)
		for seq := last; seq != 0; {
			v := log.Get(u64(seq))
			if len(v) < 8 {
				return fmt.Errorf("%w: gift card %s: entry %d missing", errCorrupt, code, seq)
			}
			t, err := decodeCardTx(seq, v[8:]) // cardenc.go
			if err != nil {
				return err
			}
			txs = append(txs, t)
			seq = binary.BigEndian.Uint64(v)
		}
		slices.Reverse(txs)
		return nil
	})
	return c, txs, err
}

// getCard reads a card and its last ledger entry.
func getCard(tx *bolt.Tx, code string) (*policies.GiftCard, uint64, error) {
	return readCard(tx, code, "")
}

// readCard is getCard; campaign is the one code was read with, if any
// (decodeCardTerms).
func readCard(tx *bolt.Tx, code, campaign string) (*policies.GiftCard, uint64, error) {
	raw := tx.Bucket(bCards).Get([]byte(code))
	if raw == nil {
		return nil, 0, fmt.Errorf("%w: %q is not a gift card here", policies.ErrUnknownCode, code)
	}
	if len(raw) < 16 {
		return nil, 0, fmt.Errorf("%w: gift card %s of %d bytes", errCorrupt, code, len(raw))
	}
	c, err := decodeCardTerms(code, campaign, raw[16:]) // cardenc.go
	if err != nil {
		return nil, 0, err
	}
	c.Balance = int64(binary.BigEndian.Uint64(raw))
	return &c, binary.BigEndian.Uint64(raw[8:]), nil
}

// changeCard adds amount (signed) to card c's balance and appends the
// ledger entry, which it returns; a change that would take the balance
// below zero is an error and writes nothing (callers check first: it is
// never a business outcome). c's balance is set from the card's record,
// and c's terms are written only when the card is new here.
//
// A redemption's debit runs it in the commit loop, so the new record, the
// entry's key and the entry share one allocation.
func changeCard(tx *bolt.Tx, c *policies.GiftCard, amount int64, kind, source string, at time.Time) (policies.GiftCardTx, error) {
	return changeCardOn(tx, tx.Bucket(bCards).Get([]byte(c.Code)), c, amount, kind, source, at)
}

// changeCardOn is changeCard on raw, the card's record as read in tx (nil:
// none); nothing may have written it since.
func changeCardOn(tx *bolt.Tx, raw []byte, c *policies.GiftCard, amount int64, kind, source string, at time.Time) (policies.GiftCardTx, error) {
	var terms []byte
	var prev uint64
	if len(raw) >= 16 {
		c.Balance, prev, terms = int64(binary.BigEndian.Uint64(raw)), binary.BigEndian.Uint64(raw[8:]), raw[16:]
	} else {
		var err error
		if terms, err = appendCardTerms(nil, c); err != nil { // cardenc.go
			return policies.GiftCardTx{}, err
		}
	}
	if c.Balance+amount < 0 {
		return policies.GiftCardTx{}, fmt.Errorf("store: gift card %s holds %d, changing by %d", c.Code, c.Balance, amount)
	}
	c.Balance += amount
	if ch := tx.Bucket(bWChanged); ch != nil { // a fleet's node tells its share of the card (walletchanges.go)
		if err := ch.Put([]byte(CardPurse(c.Code)), nil); err != nil {
			return policies.GiftCardTx{}, err
		}
	}
	log := tx.Bucket(bCardTx)
	seq, err := log.NextSequence()
	if err != nil {
		return policies.GiftCardTx{}, err
	}
	t := policies.GiftCardTx{At: at.UTC(), Kind: kind, Amount: amount, Balance: c.Balance, Source: source}
	// One allocation: the record (balance, last entry, terms), the entry's
	// key, then the entry (the previous one, then cardenc.go's form), the
	// only one that may grow past it.
	buf := make([]byte, 0, 16+len(terms)+8+8+maxCompactCardTx+len(source))
	rec := append(binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(buf, uint64(c.Balance)), seq), terms...)
	seqKey := binary.BigEndian.AppendUint64(rec[len(rec):len(rec)], seq)
	entry, err := appendCardTx(binary.BigEndian.AppendUint64(seqKey[8:8], prev), &t)
	if err != nil {
		return policies.GiftCardTx{}, err
	}
	if err := log.Put(seqKey, entry); err != nil {
		return policies.GiftCardTx{}, err
	}
	t.ID = cardTxID(seq)
	return t, tx.Bucket(bCards).Put([]byte(c.Code), rec)
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
//
// It reads only balances (no card record is decoded): it runs in the
// commit loop, which every redemption waits on. amounts reports that an
// amount moved (the stored record must be encoded again); a balance
// before that moved changes only the answer. recs are the cards' records
// as read (recs[i] for r.GiftCards[i]), for debitCards in the same
// transaction: a debit reads its card once.
func checkCards(tx *bolt.Tx, r *policies.Redemption, out map[string]policies.Reason) (_ map[string]policies.Reason, recs [][]byte, changed, amounts bool, _ error) {
	cards := tx.Bucket(bCards)
	for i := range r.GiftCards {
		g := &r.GiftCards[i]
		if g.Amount == 0 {
			continue
		}
		raw := cards.Get([]byte(g.Code))
		if recs == nil {
			recs = make([][]byte, len(r.GiftCards))
		}
		recs[i] = raw
		var bal int64
		if len(raw) >= 16 {
			bal = int64(binary.BigEndian.Uint64(raw))
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
		pay := min(g.Amount, max(bal, 0))
		amounts = amounts || pay != g.Amount
		g.Amount, g.Before = pay, bal
		changed = true
	}
	return out, recs, changed, amounts, nil
}

// debitCards takes what r pays from each card, in r's transaction; recs
// are the cards' records as checkCards read them in it (nil: read them).
// Nothing writes a card between the two: a redemption presents a card
// once.
func debitCards(tx *bolt.Tx, r *policies.Redemption, recs [][]byte) error {
	for i, g := range r.GiftCards {
		if g.Amount == 0 {
			continue
		}
		// Its record exists (it has a balance): changeCardOn refuses to go
		// below zero.
		c := &policies.GiftCard{Code: g.Code}
		var err error
		if recs != nil {
			_, err = changeCardOn(tx, recs[i], c, -g.Amount, policies.CardRedeem, r.ID, r.CreatedAt)
		} else {
			_, err = changeCard(tx, c, -g.Amount, policies.CardRedeem, r.ID, r.CreatedAt)
		}
		if err != nil {
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
		c, _, err := getCard(tx, g.Code)
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
		key := cardKeyAt(ch.Code, ch.IdempotencyKey)
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
		c, _, err := getCard(tx, ch.Code)
		if errors.Is(err, policies.ErrUnknownCode) && ch.Card != nil && ch.Amount > 0 { // a fleet's card none of which came here
			c, err = &policies.GiftCard{Code: ch.Code, Campaign: ch.Card.Campaign, Currency: ch.Card.Currency, Expiry: ch.Card.Expiry}, nil
		}
		if err != nil {
			return err
		}
		if c.Balance+ch.Amount < 0 {
			return fmt.Errorf("%w: %s holds %d, removing %d", policies.ErrBalanceBelowZero, ch.Code, c.Balance, -ch.Amount)
		}
		t, err := changeCard(tx, c, ch.Amount, policies.CardAdjust, "adjustment "+ch.IdempotencyKey, ch.At)
		if err != nil {
			return err
		}
		out = &t
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
	code, err := freeCode(tx, &rewardCardSpec) // codes.go
	if err != nil {
		return "", err
	}
	now := c.At.UTC()
	if err := putOwnedCode(tx, code, c.Card.Campaign, c.Customer, now); err != nil {
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
		c, _, err := getCard(tx, code)
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
	c, _, err := getCard(tx, m.Code)
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

// peekCard reads a card's terms by hand from the JSON this package writes
// (encoding/json of policies.GiftCard: code, campaign, then currency and
// expires_at when set), as peekCode does a code's; false sends the caller
// to encoding/json (TestPeekCard holds the two equal).
func peekCard(raw []byte) (policies.GiftCard, bool) {
	var c policies.GiftCard
	var ok bool
	if c.Code, ok = stringAfter(raw, `{"code":"`); !ok {
		return c, false
	}
	if c.Campaign, ok = stringAfter(raw, `","campaign":"`); !ok {
		return c, false
	}
	if bytes.Contains(raw, []byte(`"currency":`)) {
		if c.Currency, ok = stringAfter(raw, `,"currency":"`); !ok {
			return c, false
		}
	}
	if bytes.Contains(raw, []byte(`"expires_at":`)) {
		at, ok := stringAfter(raw, `,"expires_at":"`)
		if !ok {
			return c, false
		}
		t, err := time.Parse(time.RFC3339Nano, at)
		if err != nil {
			return c, false
		}
		c.Expiry = t
	}
	return c, true
}
