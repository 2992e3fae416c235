package store

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// TestCardTxEncoding: an entry is written compact when its kind has a
// number and its time no zone offset, and reads back as written, its time
// in UTC (as the JSON form read it back, which also turned invalid UTF-8
// into U+FFFD: the compact form keeps the bytes); otherwise it is written
// and read as JSON.
func TestCardTxEncoding(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 12, 5, 0, 2, 25, 532561317, time.UTC),
		time.Unix(0, 0).UTC(),
		time.Date(1969, 7, 20, 20, 17, 40, 999_999_999, time.UTC),
		time.Date(2026, 3, 1, 12, 0, 0, 1, time.FixedZone("x", 3600)),
		time.Date(2026, 3, 1, 12, 0, 0, 1, time.FixedZone("GMT", 0)),
	}
	kinds := []string{policies.CardIssue, policies.CardRedeem, policies.CardRollback, policies.CardAdjust, policies.CardMove, "refund"}
	for _, at := range times {
		for _, kind := range kinds {
			for _, amount := range []int64{0, -9500, policies.MaxAmount, -policies.MaxAmount} {
				for _, src := range []string{"", "rd_18ee329baab2a7a5e7a08ff4d48d", `adjustment "q" \ café`, "\xff"} {
					in := policies.GiftCardTx{ID: cardTxID(77), At: at, Kind: kind, Amount: amount, Balance: -amount + 3, Source: src}
					raw, err := appendCardTx(nil, &in)
					if err != nil {
						t.Fatal(err)
					}
					_, off := at.Zone()
					compact := kind != "refund" && off == 0
					if (raw[0] == cardTxCompact) != compact {
						t.Fatalf("%+v: written as %q", in, raw)
					}
					got, err := decodeCardTx(77, raw)
					if err != nil {
						t.Fatalf("%+v: %v", in, err)
					}
					want := in // compact: as written, its time in UTC
					want.At = at.UTC()
					if !compact { // JSON: as encoding/json gives it back
						js, _ := json.Marshal(&in)
						want = policies.GiftCardTx{}
						if err := json.Unmarshal(js, &want); err != nil {
							t.Fatal(err)
						}
					}
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("read %+v, want %+v", got, want)
					}
				}
			}
		}
	}
	for _, bad := range [][]byte{nil, {}, {cardTxCompact}, {cardTxCompact, 0}, {cardTxCompact, 9, 0, 0, 0, 0}, {cardTxCompact, 2, 0x80}, {cardTxCompact, 2, 1, 1, 1, 0x80, 0x94, 0xeb, 0xdc, 0x03}, {'x'}, []byte(`{"id":`)} {
		if tx, err := decodeCardTx(1, bad); err == nil {
			t.Errorf("%q read as %+v", bad, tx)
		}
	}
}

// TestCardTermsEncoding: a card's terms read back as the JSON form gave
// them back, compact unless the expiry has a zone offset, with or without the code's campaign to share; cut or unknown
// bytes are errors.
func TestCardTermsEncoding(t *testing.T) {
	at := time.Date(2031, 5, 6, 7, 8, 9, 123, time.UTC)
	for _, c := range []policies.GiftCard{
		{Code: "GC-1", Campaign: "gift-any"},
		{Code: "GC-2", Campaign: "gift-eur", Currency: "EUR", Expiry: at},
		{Code: "GC-3", Campaign: `we"ird\name<&>`, Currency: "USD", Expiry: time.Unix(0, 1).UTC()},
		{Code: "GC-4", Campaign: "c", Expiry: at.In(time.FixedZone("x", 3600))},
		{Code: "GC-5", Campaign: ""},
		{Code: "GC-6", Campaign: "c", Expiry: at.In(time.FixedZone("GMT", 0))},
	} {
		raw, err := appendCardTerms(nil, &c)
		if err != nil {
			t.Fatal(err)
		}
		_, off := c.Expiry.Zone()
		if (raw[0] == cardTermsCompact) != (off == 0) {
			t.Fatalf("%+v: written as %q", c, raw)
		}
		js, _ := json.Marshal(&c) // what the JSON form gave back
		var want policies.GiftCard
		if err := json.Unmarshal(js, &want); err != nil {
			t.Fatal(err)
		}
		for _, hint := range []string{"", c.Campaign, "other"} {
			got, err := decodeCardTerms(c.Code, hint, raw)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Fatalf("%q (campaign %q): read %+v, %v; want %+v", raw, hint, got, err, want)
			}
		}
	}
	for _, bad := range [][]byte{nil, {}, {cardTermsCompact}, {cardTermsCompact, 5, 'a'}, {cardTermsCompact, 1, 'a', 0}, {cardTermsCompact, 1, 'a', 0, 2}, {cardTermsCompact, 1, 'a', 0, 1, 2}, {cardTermsCompact, 1, 'a', 0, 0, 0}, {'x'}, []byte(`{"code":`)} {
		if c, err := decodeCardTerms("X", "", bad); err == nil {
			t.Errorf("%q read as %+v", bad, c)
		}
	}
}

// TestCardCompactSize holds the sizes cardenc.go claims for a typical
// card (a generated code, an expiry, a currency) and a redemption's
// ledger entry: with its key and bbolt's 16-byte leaf element, a card's
// record in the compact form takes under half the page space of the
// JSON form's, and a ledger entry's stored value (its 8-byte link to the
// previous entry included) at most 0.4 of the JSON form's bytes.
func TestCardCompactSize(t *testing.T) {
	const element = 16 // bbolt's leaf page element header
	at := time.Date(2027, 5, 6, 7, 8, 9, 0, time.UTC)
	c := policies.GiftCard{Code: "GC-ABCD-EFGH-JKLM", Campaign: "gift-any", Currency: "EUR", Expiry: at}
	compact, err := appendCardTerms(nil, &c)
	if err != nil || compact[0] != cardTermsCompact {
		t.Fatalf("terms %q, %v", compact, err)
	}
	js, _ := json.Marshal(&c)
	card := func(terms []byte) int { return element + len(c.Code) + 16 + len(terms) }
	if ratio := float64(card(js)) / float64(card(compact)); ratio < 2 {
		t.Errorf("a compact card takes 1/%.2f of the JSON one's page space, want under half", ratio)
	}
	e := policies.GiftCardTx{ID: cardTxID(12345), At: at.Add(time.Nanosecond), Kind: policies.CardRedeem, Amount: -2500, Balance: 7500, Source: "rd_18ee329baab2a7a5e7a08ff4d48d"}
	ctx, err := appendCardTx(nil, &e)
	if err != nil || ctx[0] != cardTxCompact {
		t.Fatalf("entry %q, %v", ctx, err)
	}
	jtx, _ := json.Marshal(&e)
	entry := func(v []byte) int { return 8 + len(v) }
	if ratio := float64(entry(ctx)) / float64(entry(jtx)); ratio > 0.4 {
		t.Errorf("a compact entry is %.2f of the JSON one's bytes, want at most 0.4", ratio)
	}
}

// TestCardTermsShareTheCampaign: compact terms read with the campaign
// their code was read with allocate nothing (decodeCardTerms' claim:
// the pricing read copies no string), and read without it, one copy.
func TestCardTermsShareTheCampaign(t *testing.T) {
	raw, err := appendCardTerms(nil, &policies.GiftCard{Code: "GC-1", Campaign: "gift-any"})
	if err != nil || raw[0] != cardTermsCompact {
		t.Fatalf("terms %q, %v", raw, err)
	}
	for _, tc := range []struct {
		hint string
		want float64
	}{{"gift-any", 0}, {"", 1}} {
		var c policies.GiftCard
		if n := testing.AllocsPerRun(100, func() { c, _ = decodeCardTerms("GC-1", tc.hint, raw) }); n != tc.want || c.Campaign != "gift-any" {
			t.Errorf("campaign hint %q: %v allocations, read %+v; want %v", tc.hint, n, c, tc.want)
		}
	}
}

// FuzzDecodeCardTerms: any stored terms read without a panic, and terms
// read from the compact form write back compact and read the same.
func FuzzDecodeCardTerms(f *testing.F) {
	raw, _ := appendCardTerms(nil, &policies.GiftCard{Code: "X", Campaign: "gift", Currency: "USD", Expiry: time.Unix(2e9, 7).UTC()})
	f.Add(raw)
	f.Add([]byte(`{"code":"X","campaign":"gift","balance":0}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeCardTerms("X", "gift", b)
		if err != nil || len(b) == 0 || b[0] != cardTermsCompact {
			return
		}
		again, err := appendCardTerms(nil, &got)
		if err != nil || again[0] != cardTermsCompact {
			t.Fatalf("%+v written %q, %v", got, again, err)
		}
		back, err := decodeCardTerms("X", "", again)
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Fatalf("%q read %+v, written %q, read %+v, %v", b, got, again, back, err)
		}
	})
}

// TestGiftCardOldLedgerReads: a card whose record and ledger were written
// in the JSON form (files from before the compact form) reads as it did,
// and its later entries, written compact, chain onto the old ones.
func TestGiftCardOldLedgerReads(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s := open(t, path)
	ctx := context.Background()
	at := time.Date(2026, 11, 1, 9, 30, 0, 250, time.UTC)
	old := []policies.GiftCardTx{
		{ID: "gc_1", At: at, Kind: policies.CardIssue, Amount: 3000, Balance: 3000, Source: "generated"},
		{ID: "gc_2", At: at.Add(time.Hour), Kind: policies.CardRedeem, Amount: -1200, Balance: 1800, Source: "rd_old"},
	}
	// Written as the store wrote cards before: terms JSON after the head,
	// each entry JSON after the previous entry's sequence.
	err := s.db.Update(func(tx *bolt.Tx) error {
		log := tx.Bucket(bCardTx)
		for i, e := range old {
			seq, err := log.NextSequence()
			if err != nil {
				return err
			}
			js, _ := json.Marshal(&e)
			if err := log.Put(u64(seq), append(u64(uint64(i)), js...)); err != nil {
				return err
			}
		}
		terms, _ := json.Marshal(&policies.GiftCard{Code: "OLD-1", Campaign: "gift", Currency: "USD"})
		rec := binary.BigEndian.AppendUint64(u64(1800), 2)
		return tx.Bucket(bCards).Put([]byte("OLD-1"), append(rec, terms...))
	})
	if err != nil {
		t.Fatal(err)
	}
	c, txs, err := s.GiftCardView(ctx, "OLD-1")
	if err != nil || c.Balance != 1800 || c.Campaign != "gift" || c.Currency != "USD" || !reflect.DeepEqual(txs, old) {
		t.Fatalf("old card: %+v %+v %v", c, txs, err)
	}
	// A top-up now appends a compact entry after the old ones.
	ch, err := s.ChangeBalance(ctx, &policies.BalanceChange{Code: "OLD-1", Amount: 500, IdempotencyKey: "top", At: at.Add(2 * time.Hour)})
	if err != nil || ch.ID != "gc_3" || ch.Balance != 2300 {
		t.Fatalf("top-up: %+v %v", ch, err)
	}
	_ = s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bCardTx).Get(u64(3)); len(v) < 9 || v[8] != cardTxCompact {
			t.Errorf("new entry stored as %q", v)
		}
		if v := tx.Bucket(bCards).Get([]byte("OLD-1")); len(v) < 17 || v[16] != '{' {
			t.Errorf("old card's terms stored again as %q", v)
		}
		return nil
	})
	s.Close()
	s = open(t, path) // and again from the file
	c, txs, err = s.GiftCardView(ctx, "OLD-1")
	want := append(old, policies.GiftCardTx{ID: "gc_3", At: at.Add(2 * time.Hour), Kind: policies.CardAdjust, Amount: 500, Balance: 2300, Source: "adjustment top"})
	if err != nil || c.Balance != 2300 || !reflect.DeepEqual(txs, want) {
		t.Fatalf("after the top-up: %+v\n%+v\nwant %+v %v", c, txs, want, err)
	}
}

// FuzzDecodeCardTx: any stored bytes read without a panic, and an entry
// read from the compact form writes back compact and reads the same.
func FuzzDecodeCardTx(f *testing.F) {
	e, _ := appendCardTx(nil, &policies.GiftCardTx{At: time.Unix(1e9, 5).UTC(), Kind: policies.CardRedeem, Amount: -5, Balance: 10, Source: "rd_1"})
	f.Add(e)
	f.Add([]byte(`{"id":"gc_1","at":"2026-01-02T03:04:05Z","kind":"issue","amount":1,"balance":1,"source":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := decodeCardTx(5, b)
		if err != nil || len(b) == 0 || b[0] != cardTxCompact {
			return
		}
		again, err := appendCardTx(nil, &got)
		if err != nil || again[0] != cardTxCompact {
			t.Fatalf("%+v written %q, %v", got, again, err)
		}
		back, err := decodeCardTx(5, again)
		if err != nil || !reflect.DeepEqual(back, got) {
			t.Fatalf("%q read %+v, written %q, read %+v, %v", b, got, again, back, err)
		}
	})
}
