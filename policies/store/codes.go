package store

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

var (
	_ policies.CodeBook = (*Store)(nil)
	_ policies.Codes    = (*Store)(nil)
)

// How codes are generated (the limits of a spec are the domain's:
// policies.CodeSpec.Validate).
const (
	// codeBatch codes commit together: random codes land all over the
	// bucket, so every transaction rewrites most of its pages; fewer,
	// larger batches rewrite it fewer times. It bounds memory too.
	codeBatch = 100_000
	// fill bounds how full a pattern's space may get (existing codes of
	// the same shape plus the new ones), so a random draw is free with
	// probability at least 1-fill and generation ends quickly.
	fill = 0.5
)

// shapeKey is the meta key counting the codes made with sp's prefix,
// pattern and postfix.
func shapeKey(sp *policies.CodeSpec) []byte {
	return []byte("shape:" + sp.Prefix + "\x00" + sp.Pattern + "\x00" + sp.Postfix)
}

// Generate makes sp.Count new codes for campaign, unique across the store,
// committing them in batches and calling emit with each committed batch.
// A spec whose pattern space is too small (counting codes made earlier
// with the same shape) is refused before anything is written.
func (s *Store) Generate(ctx context.Context, campaign string, sp policies.CodeSpec, emit func([]string) error) error {
	if err := s.CheckCodes(sp); err != nil {
		return err
	}
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		return err
	}
	rng := rand.New(rand.NewChaCha8(seed))
	now := s.now().UTC()
	for left := sp.Count; left > 0; {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, err := s.generateBatch(rng, campaign, &sp, min(left, codeBatch), now)
		if err != nil {
			return err
		}
		left -= len(batch)
		if err := emit(batch); err != nil {
			return err
		}
	}
	return nil
}

// CheckCodes refuses, before anything is written, a spec that is invalid
// or whose pattern space is too small: the codes made earlier with the same
// prefix, pattern and postfix plus the new ones may fill at most half of
// it, so that random draws find free codes fast.
func (s *Store) CheckCodes(sp policies.CodeSpec) error {
	if err := sp.Validate(); err != nil {
		return err
	}
	var made uint64
	err := s.db.View(func(tx *bolt.Tx) error {
		made = getU64(tx.Bucket(bMeta).Get(shapeKey(&sp)))
		return nil
	})
	if err != nil {
		return err
	}
	if space := sp.Space(); float64(made)+float64(sp.Count) > fill*space {
		return fmt.Errorf("%w: pattern %q makes %.0f codes; %d exist with this shape and %d more would fill over half of it (add '#' or '?')",
			policies.ErrPatternTooSmall, sp.Pattern, space, made, sp.Count)
	}
	return nil
}

// freeCode draws a code of sp's shape that no code in tx has, for the
// codes made one at a time (a trigger's, a referral's, a reward card's):
// at most 64 draws, as generateBatch allows per code.
func freeCode(tx *bolt.Tx, sp *policies.CodeSpec) (string, error) {
	var seed [32]byte
	if _, err := crand.Read(seed[:]); err != nil {
		return "", err
	}
	rng := rand.New(rand.NewChaCha8(seed))
	codes := tx.Bucket(bCodes)
	for range 64 {
		if c := draw(rng, sp); codes.Get([]byte(c)) == nil {
			return c, nil
		}
	}
	return "", fmt.Errorf("%w: no free code of pattern %q in 64 draws", policies.ErrPatternTooSmall, sp.Pattern)
}

// putOwnedCode stores a new single-use code of campaign owned by owner
// and logs it for a fleet's replicas, as generated codes are.
func putOwnedCode(tx *bolt.Tx, code, campaign, owner string, now time.Time) error {
	now = now.UTC()
	c := &policies.Code{Code: code, Campaign: campaign, State: policies.CodeStateActive, MaxUses: 1, Owner: owner, CreatedAt: now}
	if err := putCode(tx, c); err != nil {
		return err
	}
	return logCodes(tx, campaign, []string{code}, now)
}

func (s *Store) generateBatch(rng *rand.Rand, campaign string, sp *policies.CodeSpec, n int, now time.Time) ([]string, error) {
	out := make([]string, 0, n)
	err := s.db.Update(func(tx *bolt.Tx) error {
		out = out[:0]
		b := tx.Bucket(bCodes)
		seen := make(map[string]bool, n)
		// Each draw is free with probability >= 1-fill: 64 draws a code
		// fail with probability below 2^-64.
		for attempts := 0; len(out) < n; attempts++ {
			if attempts > 64*n {
				return fmt.Errorf("%w: gave up after %d draws", policies.ErrPatternTooSmall, attempts)
			}
			c := draw(rng, sp)
			if seen[c] || b.Get([]byte(c)) != nil {
				continue
			}
			seen[c] = true
			out = append(out, c)
		}
		slices.Sort(out) // in key order bbolt appends within each page
		for _, c := range out {
			if err := b.Put([]byte(c), encodeNewCode(c, campaign, "", 1, now)); err != nil {
				return err
			}
			if sp.Card != nil {
				if err := issueCard(tx, c, campaign, sp.Card, now, "generated"); err != nil {
					return err
				}
			}
		}
		if err := logCodes(tx, campaign, out, now); err != nil {
			return err
		}
		meta := tx.Bucket(bMeta)
		key := shapeKey(sp)
		return meta.Put(key, u64(getU64(meta.Get(key))+uint64(len(out))))
	})
	return out, err
}

// encodeNewCode is an unused code's stored JSON, by hand: a million of them
// are written per call.
// origin is "" for codes made here (see policies.Code.Origin).
func encodeNewCode(code, campaign, origin string, maxUses int64, now time.Time) []byte {
	b := make([]byte, 0, 112+len(code)+len(campaign)+len(origin))
	b = append(b, `{"code":`...)
	b = strconv.AppendQuote(b, code)
	b = append(b, `,"campaign":`...)
	b = strconv.AppendQuote(b, campaign)
	b = append(b, `,"state":"active","uses":0,"max_uses":`...)
	b = strconv.AppendInt(b, maxUses, 10)
	if origin != "" {
		b = append(b, `,"origin":`...)
		b = strconv.AppendQuote(b, origin)
	}
	b = append(b, `,"created_at":"`...)
	b = now.AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

func draw(rng *rand.Rand, sp *policies.CodeSpec) string {
	b := make([]byte, 0, len(sp.Prefix)+len(sp.Pattern)+len(sp.Postfix))
	b = append(b, sp.Prefix...)
	for i := 0; i < len(sp.Pattern); i++ {
		switch sp.Pattern[i] {
		case '#':
			b = append(b, byte('0'+rng.IntN(10)))
		case '?':
			b = append(b, byte('A'+rng.IntN(26)))
		default:
			b = append(b, sp.Pattern[i])
		}
	}
	return string(append(b, sp.Postfix...))
}

// Code looks one code up.
func (s *Store) Code(_ context.Context, code string) (*policies.Code, error) {
	var c *policies.Code
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		c, err = getCode(tx, code)
		return err
	})
	return c, err
}

func getCode(tx *bolt.Tx, code string) (*policies.Code, error) {
	raw := tx.Bucket(bCodes).Get([]byte(code))
	if raw == nil {
		return nil, fmt.Errorf("%w: %q", policies.ErrUnknownCode, code)
	}
	var c policies.Code
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("store: code %s is corrupt: %w", code, err)
	}
	return &c, nil
}

// codeAvailable is the reason a redemption cannot use code, or "".
func codeAvailable(tx *bolt.Tx, code, campaign string) policies.Reason {
	c, err := getCode(tx, code)
	if err != nil || c.Campaign != campaign {
		return policies.CodeInvalid
	}
	return ""
}

// codeUsedUp reports whether code's uses here reached its maximum.
func codeUsedUp(tx *bolt.Tx, code string) bool {
	c, err := getCode(tx, code)
	return err == nil && c.Uses >= c.MaxUses
}

func putCode(tx *bolt.Tx, c *policies.Code) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return tx.Bucket(bCodes).Put([]byte(c.Code), raw)
}

// useCode counts n uses of code (n = -1 gives one back).
func useCode(tx *bolt.Tx, code, customer string, n int64) error {
	c, err := getCode(tx, code)
	if err != nil {
		return err
	}
	c.Uses = max(0, c.Uses+n)
	c.State = policies.CodeStateActive
	if c.Uses >= c.MaxUses {
		c.State = policies.CodeStateUsed
	}
	switch {
	case n > 0 && c.Owner == "":
		c.Owner = customer
	case c.Uses == 0 && !c.Referral: // a referral code's owner is its referrer
		c.Owner = ""
	}
	return putCode(tx, c)
}

// LookupCode implements policies.Codes: which campaign a generated code
// belongs to and whether it can still be used.
func (s *Store) LookupCode(_ context.Context, code string) (string, policies.Reason, bool, error) {
	campaign, reason, found, _, err := s.lookup(code, false)
	return campaign, reason, found, err
}

var _ policies.CardLookup = (*Store)(nil)

// LookupCard implements policies.CardLookup: the code's head and, when it
// is a gift card here, the card, in one read transaction.
func (s *Store) LookupCard(_ context.Context, code string) (string, policies.Reason, bool, *policies.GiftCard, error) {
	return s.lookup(code, true)
}

// lookup reads code's head, and its card when withCard, in one read.
func (s *Store) lookup(code string, withCard bool) (campaign string, reason policies.Reason, found bool, card *policies.GiftCard, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bCodes).Get([]byte(code))
		if raw == nil {
			return nil
		}
		c, err := peekCode(raw)
		if err != nil {
			return fmt.Errorf("store: code %s is corrupt: %w", code, err)
		}
		found, campaign = true, c.Campaign
		if c.Uses >= c.MaxUses {
			reason = policies.CodeUsed
		}
		if !withCard {
			return nil
		}
		if card, _, err = readCard(tx, code, c.Campaign); errors.Is(err, policies.ErrUnknownCode) {
			card, err = nil, nil
		}
		return err
	})
	return campaign, reason, found, card, err
}

// codeHead is what pricing needs of a code: no times, no owner.
type codeHead struct {
	Campaign string `json:"campaign"`
	Uses     int64  `json:"uses"`
	MaxUses  int64  `json:"max_uses"`
}

// peekCode reads a code record's head. A code's or a coupon's lookup is
// on every priced cart that presents one, and encoding/json took most of
// its time (BenchmarkLookupCode: a lookup through encoding/json takes
// 2.5-3.2x as long), so the record as this package writes it (encoding/json of
// policies.Code: campaign, then uses, then max_uses, each once at the top
// level) is read by hand; anything else, such as an escape in the
// campaign, goes through encoding/json (TestPeekCode holds the two
// equal).
func peekCode(raw []byte) (codeHead, error) {
	var h codeHead
	camp, ok := stringAfter(raw, `","campaign":"`)
	if ok {
		h.Campaign = camp
		h.Uses, ok = intAfter(raw, `,"uses":`)
	}
	if ok {
		h.MaxUses, ok = intAfter(raw, `,"max_uses":`)
	}
	if ok {
		return h, nil
	}
	h = codeHead{}
	err := json.Unmarshal(raw, &h)
	return h, err
}

// stringAfter is the plain string (no escapes) that follows key in raw.
func stringAfter(raw []byte, key string) (string, bool) {
	i := bytes.Index(raw, []byte(key))
	if i < 0 {
		return "", false
	}
	rest := raw[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return "", false
	}
	return string(rest[:j]), true
}

// intAfter is the non-negative integer that follows key in raw.
func intAfter(raw []byte, key string) (int64, bool) {
	i := bytes.Index(raw, []byte(key))
	if i < 0 {
		return 0, false
	}
	rest := raw[i+len(key):]
	var n int64
	k := 0
	for ; k < len(rest) && k < 18 && rest[k] >= '0' && rest[k] <= '9'; k++ {
		n = n*10 + int64(rest[k]-'0')
	}
	if k == 0 || (k < len(rest) && rest[k] != ',' && rest[k] != '}') {
		return 0, false
	}
	return n, true
}
