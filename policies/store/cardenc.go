package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// A gift card's record (bCards) is its balance (8), its last ledger
// entry (8) and then its terms (policies.GiftCard without the balance),
// in one of two forms:
//
//   - JSON of policies.GiftCard, starting with '{' (files from before the
//     compact form, and terms the compact form cannot say: an expiry with
//     a zone offset, or beyond the years JSON writes);
//   - compact: cardTermsCompact, then the campaign and the currency (each
//     a uvarint length and its bytes), then 0, or 1 and the expiry's Unix
//     seconds (varint) and nanoseconds (uvarint). The code is the key.
//
// A card's record is written again by every change of its balance, so a
// redemption's commit writes the leaf page holding it; the compact form
// puts over twice as many cards on a page (TestCardCompactSize).
const cardTermsCompact = 1

// appendCardTerms appends c's terms (not its balance) to b.
func appendCardTerms(b []byte, c *policies.GiftCard) ([]byte, error) {
	exp := c.Expiry
	if !exp.IsZero() && !compactTime(exp) {
		t := *c
		t.Balance = 0
		js, err := json.Marshal(&t)
		return append(b, js...), err
	}
	b = appendString(append(b, cardTermsCompact), c.Campaign) // record.go
	b = appendString(b, c.Currency)
	if exp.IsZero() {
		return append(b, 0), nil
	}
	b = binary.AppendVarint(append(b, 1), exp.Unix())
	return binary.AppendUvarint(b, uint64(exp.Nanosecond())), nil
}

// decodeCardTerms reads card code's terms in either form; campaign is the
// campaign its code was read with, if any, whose string is used when
// they are the same (the pricing read then allocates no copy:
// TestCardTermsShareTheCampaign).
func decodeCardTerms(code, campaign string, v []byte) (policies.GiftCard, error) {
	if len(v) > 0 && v[0] == '{' {
		c, ok := peekCard(v)
		if !ok {
			c = policies.GiftCard{}
			if err := json.Unmarshal(v, &c); err != nil {
				return c, fmt.Errorf("%w: gift card %s: %v", errCorrupt, code, err)
			}
		}
		return c, nil
	}
	bad := func(what string) (policies.GiftCard, error) {
		return policies.GiftCard{}, fmt.Errorf("%w: gift card %s: %s", errCorrupt, code, what)
	}
	if len(v) == 0 || v[0] != cardTermsCompact {
		return bad("unknown form")
	}
	r := record{b: v[1:]}
	camp, currency := r.bytes(), r.string()
	if r.short {
		return bad("cut")
	}
	c := policies.GiftCard{Code: code, Campaign: campaign, Currency: currency}
	if string(camp) != campaign {
		c.Campaign = string(camp)
	}
	switch {
	case len(r.b) == 1 && r.b[0] == 0:
		return c, nil
	case len(r.b) < 2 || r.byte() != 1:
		return bad("bad expiry")
	}
	sec, nsec := r.varint(), r.uvarint()
	if r.short || len(r.b) != 0 || nsec >= 1e9 || sec < minCardTxSec || sec > maxCardTxSec {
		return bad("bad expiry")
	}
	c.Expiry = time.Unix(sec, int64(nsec)).UTC()
	return c, nil
}

// A gift card ledger entry (bCardTx) is the card's previous entry (8)
// and then the entry, in one of two forms:
//
//   - JSON of policies.GiftCardTx, starting with '{': what files written
//     before the compact form hold, and what is still written for an
//     entry the compact form cannot say exactly (a kind it has no number
//     for, a time with a zone offset or beyond the years JSON writes);
//   - compact: cardTxCompact, the kind's number, the amount, the balance
//     after it, the time's Unix seconds (all varints), its nanoseconds
//     (uvarint), then the source's bytes to the end. The entry's ID is
//     "gc_" and its sequence, the key it is stored under.
//
// A redemption appends one entry per card it pays with, in the commit
// loop every redemption waits on; the compact form costs no reflection
// and at most 0.4 of the bytes (TestCardCompactSize: fewer pages written
// per commit).
const cardTxCompact = 1

// cardKinds numbers the kinds the compact form says (1-based; the
// numbers are stored: append, never reorder).
var cardKinds = [...]string{policies.CardIssue, policies.CardRedeem, policies.CardRollback, policies.CardAdjust, policies.CardMove}

// cardTxID is the ID of the entry stored under seq.
func cardTxID(seq uint64) string { return "gc_" + strconv.FormatUint(seq, 10) }

// appendCardTx appends t to b (after its previous entry), compact when
// it can be; t.ID is not stored in the compact form: it must be
// cardTxID of the sequence t is stored under.
func appendCardTx(b []byte, t *policies.GiftCardTx) ([]byte, error) {
	kind := 0
	for i, k := range cardKinds {
		if k == t.Kind {
			kind = i + 1
		}
	}
	if kind == 0 || !compactTime(t.At) {
		js, err := json.Marshal(t)
		return append(b, js...), err
	}
	b = append(b, cardTxCompact, byte(kind))
	b = binary.AppendVarint(b, t.Amount)
	b = binary.AppendVarint(b, t.Balance)
	b = binary.AppendVarint(b, t.At.Unix())
	b = binary.AppendUvarint(b, uint64(t.At.Nanosecond()))
	return append(b, t.Source...), nil
}

// The compact form's times are those JSON can write: years 0 to 9999.
const (
	minCardTxSec = -62167219200 // 0000-01-01T00:00:00Z
	maxCardTxSec = 253402300799 // 9999-12-31T23:59:59Z
)

// compactTime reports whether the compact forms can hold t: JSON writes
// it with "Z" (its offset is zero: it reads back in UTC, as the compact
// form's does) and it is within years 0 to 9999.
func compactTime(t time.Time) bool {
	_, off := t.Zone()
	return off == 0 && t.Unix() >= minCardTxSec && t.Unix() <= maxCardTxSec
}

// maxCompactCardTx bounds a compact entry's bytes besides its source.
const maxCompactCardTx = 2 + 3*binary.MaxVarintLen64 + binary.MaxVarintLen32

// decodeCardTx reads the entry stored under seq (without its previous
// entry's 8 bytes), in either form.
func decodeCardTx(seq uint64, v []byte) (policies.GiftCardTx, error) {
	var t policies.GiftCardTx
	if len(v) > 0 && v[0] == '{' {
		if err := json.Unmarshal(v, &t); err != nil {
			return t, fmt.Errorf("%w: gift card entry %d: %v", errCorrupt, seq, err)
		}
		return t, nil
	}
	bad := func(what string) (policies.GiftCardTx, error) {
		return policies.GiftCardTx{}, fmt.Errorf("%w: gift card entry %d: %s", errCorrupt, seq, what)
	}
	if len(v) < 2 || v[0] != cardTxCompact {
		return bad("unknown form")
	}
	if v[1] == 0 || int(v[1]) > len(cardKinds) {
		return bad("unknown kind " + strconv.Itoa(int(v[1])))
	}
	t.ID, t.Kind = cardTxID(seq), cardKinds[v[1]-1]
	r := record{b: v[2:]}
	t.Amount, t.Balance = r.varint(), r.varint()
	sec, nsec := r.varint(), r.uvarint()
	if r.short || nsec >= 1e9 || sec < minCardTxSec || sec > maxCardTxSec {
		return bad("cut or out of range")
	}
	t.At, t.Source = time.Unix(sec, int64(nsec)).UTC(), string(r.b)
	return t, nil
}
