package store

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// TestPeekCode: the hand reader of a code's head agrees with
// encoding/json on every record this package writes, including codes and
// campaigns that need escapes, and falls back on anything else.
func TestPeekCode(t *testing.T) {
	codes := []policies.Code{
		{Code: "GC-1234-5678", Campaign: "gift-any", State: policies.CodeStateActive, Uses: 0, MaxUses: 1, CreatedAt: time.Now()},
		{Code: `odd","campaign":"x`, Campaign: "c", Uses: 3, MaxUses: 10, Owner: "u-1"},
		{Code: "A", Campaign: `we"ird\\name<&>`, Uses: 7, MaxUses: 7},
		{Code: "B", Campaign: "ref", Uses: 123456789, MaxUses: 999999999999, OwnerEmail: "a@b.c", Origin: "n1"},
	}
	for _, c := range codes {
		raw, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		h, err := peekCode(raw)
		if _, ok := stringAfter(raw, `","campaign":"`); !ok && !strings.ContainsAny(c.Campaign, `"\<&`) {
			t.Errorf("%s: not read by hand", raw)
		}
		if err != nil || h.Campaign != c.Campaign || h.Uses != c.Uses || h.MaxUses != c.MaxUses {
			t.Errorf("%s: peeked %+v, %v", raw, h, err)
		}
	}
	if _, err := peekCode([]byte(`{"code":`)); err == nil {
		t.Error("a cut record was read")
	}
}

// FuzzPeekCode: on any bytes the hand reader never panics, and what it
// reads of a record encoding/json can read is what encoding/json reads.
func FuzzPeekCode(f *testing.F) {
	raw, _ := json.Marshal(&policies.Code{Code: "X", Campaign: "c", Uses: 1, MaxUses: 2})
	f.Add(raw)
	f.Add([]byte(`{"code":"a","campaign":"b","uses":1,"max_uses":2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := peekCode(b)
		var want codeHead
		if err == nil && json.Unmarshal(b, &want) == nil && want != h {
			var full policies.Code
			if json.Unmarshal(b, &full) == nil && full.Code != "" {
				t.Fatalf("%q: peeked %+v, encoding/json %+v", b, h, want)
			}
		}
	})
}

// TestPeekCard: a card's terms read by hand equal encoding/json's, with
// and without currency and expiry, and with names that need escapes.
func TestPeekCard(t *testing.T) {
	at := time.Date(2031, 5, 6, 7, 8, 9, 123, time.UTC)
	for _, c := range []policies.GiftCard{
		{Code: "GC-1", Campaign: "gift-any"},
		{Code: "GC-2", Campaign: "gift-eur", Currency: "EUR", Expiry: at},
		{Code: `q"uote`, Campaign: "c", Expiry: at.In(time.FixedZone("x", 3600))},
		{Code: "GC-3", Campaign: `a<b&c`, Currency: "USD"},
	} {
		raw, err := json.Marshal(&c)
		if err != nil {
			t.Fatal(err)
		}
		var want policies.GiftCard
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		got, ok := peekCard(raw)
		if !ok && !strings.ContainsAny(c.Code+c.Campaign, `"<&`) {
			t.Errorf("%s: not read by hand", raw)
		}
		if ok && (got.Code != want.Code || got.Campaign != want.Campaign || got.Currency != want.Currency || !got.Expiry.Equal(want.Expiry)) {
			t.Errorf("%s: peeked %+v, want %+v", raw, got, want)
		}
	}
}
