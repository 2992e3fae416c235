package cluster

import (
	"slices"
	"testing"

	"github.com/promoedge/promoedge/policies/store"
)

// FuzzParseCodeChunk: replicated chunks come from the network.
func FuzzParseCodeChunk(f *testing.F) {
	ch := store.CodeChunk{Seq: 3, Campaign: "c", MaxUses: 1, Codes: []string{"AB-12", "ZZ"}}
	f.Add(appendCodeChunk(nil, &ch))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := parseCodeChunk(b)
		if err != nil {
			return
		}
		again, err := parseCodeChunk(appendCodeChunk(nil, got))
		if err != nil || again.Seq != got.Seq || again.Campaign != got.Campaign || !slices.Equal(again.Codes, got.Codes) {
			t.Fatalf("round trip: %+v then %+v, %v", got, again, err)
		}
	})
}
