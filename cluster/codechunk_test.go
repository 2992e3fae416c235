package cluster

import (
	"slices"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies/store"
)

// FuzzParseCodeChunk: replicated chunks come from the network.
func FuzzParseCodeChunk(f *testing.F) {
	ch := store.CodeChunk{Seq: 3, Campaign: "c", MaxUses: 1, Codes: []string{"AB-12", "ZZ"}}
	f.Add(appendCodeChunk(nil, &ch))
	ref := store.CodeChunk{Seq: 4, Campaign: "refer", MaxUses: 3, Codes: []string{"REF-AB"}, Owner: "alice", OwnerEmail: "a@x.io"}
	f.Add(appendCodeChunk(nil, &ref))
	marks := store.CodeChunk{Seq: 5, Marks: []store.Mark{{Customer: "bob", Redemption: "rd_1", Code: "REF-AB", Points: 10}, {Customer: "eve", Redemption: "rd_2", Undo: true}}}
	f.Add(appendCodeChunk(nil, &marks))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := parseCodeChunk(b)
		if err != nil {
			return
		}
		again, err := parseCodeChunk(appendCodeChunk(nil, got))
		if err != nil || again.Seq != got.Seq || again.Campaign != got.Campaign || !slices.Equal(again.Codes, got.Codes) || !slices.Equal(again.Marks, got.Marks) {
			t.Fatalf("round trip: %+v then %+v, %v", got, again, err)
		}
	})
}

// TestCodeChunkCarriesAReferralCodesOwner: a referral code's chunk keeps
// its referrer and e-mail; a generated code's chunk is encoded as before.
func TestCodeChunkCarriesAReferralCodesOwner(t *testing.T) {
	plain := store.CodeChunk{Seq: 1, Campaign: "c", MaxUses: 1, Codes: []string{"A"}}
	ref := plain
	ref.Owner, ref.OwnerEmail = "alice", "alice@example.com"
	if len(appendCodeChunk(nil, &ref)) <= len(appendCodeChunk(nil, &plain)) {
		t.Fatal("the owner is not encoded")
	}
	for _, ch := range []store.CodeChunk{plain, ref} {
		got, err := parseCodeChunk(appendCodeChunk(nil, &ch))
		if err != nil || got.Owner != ch.Owner || got.OwnerEmail != ch.OwnerEmail || got.MaxUses != ch.MaxUses {
			t.Fatalf("round trip of %+v: %+v %v", ch, got, err)
		}
	}
}

// TestCodeChunkCarriesMarks: a chunk of customers' marks arrives whole.
func TestCodeChunkCarriesMarks(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	ch := store.CodeChunk{Seq: 9, CreatedAt: at, Marks: []store.Mark{
		{Customer: "bob", Redemption: "rd_1", At: at},
		{Customer: "carol", Redemption: "rd_2", At: at, Code: "REF-AB", Points: 15},
		{Customer: "carol", Redemption: "rd_2", At: at.Add(time.Hour), Code: "REF-AB", Undo: true},
	}}
	got, err := parseCodeChunk(appendCodeChunk(nil, &ch))
	if err != nil || !slices.Equal(got.Marks, ch.Marks) || got.Seq != 9 || got.Campaign != "" {
		t.Fatalf("round trip: %+v %v", got, err)
	}
}
