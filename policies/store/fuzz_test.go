package store

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies"
)

// FuzzCodeSpec: a code spec comes from an admin's request. Validate never
// panics, and every spec it accepts draws codes of the promised shape.
func FuzzCodeSpec(f *testing.F) {
	for _, seed := range []policies.CodeSpec{
		{Count: 10, Pattern: "SPR-####-????"},
		{Count: 1, Pattern: "#", Prefix: "A-", Postfix: "-Z"},
		{Count: 5, Pattern: "ß#"},
		{Count: 0, Pattern: ""},
		{Count: 1 << 30, Pattern: "??????????"},
	} {
		f.Add(seed.Count, seed.Pattern, seed.Prefix, seed.Postfix)
	}
	f.Fuzz(func(t *testing.T, count int, pattern, prefix, postfix string) {
		sp := policies.CodeSpec{Count: count, Pattern: pattern, Prefix: prefix, Postfix: postfix}
		if sp.Validate() != nil {
			return
		}
		rng := rand.New(rand.NewPCG(1, 2))
		code := draw(rng, &sp)
		if len(code) != len(prefix)+len(pattern)+len(postfix) || !strings.HasPrefix(code, prefix) || !strings.HasSuffix(code, postfix) {
			t.Fatalf("%+v drew %q", sp, code)
		}
		if !policies.ValidCode(code) {
			t.Fatalf("%+v drew %q, not a valid code", sp, code)
		}
	})
}

// FuzzParseCodeChunk: replicated chunks come from the network.
func FuzzParseCodeChunk(f *testing.F) {
	ch := CodeChunk{Seq: 3, Campaign: "c", MaxUses: 1, Codes: []string{"AB-12", "ZZ"}}
	f.Add(ch.AppendBinary(nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseCodeChunk(b)
		if err != nil {
			return
		}
		again, err := ParseCodeChunk(got.AppendBinary(nil))
		if err != nil || again.Seq != got.Seq || again.Campaign != got.Campaign || !slices.Equal(again.Codes, got.Codes) {
			t.Fatalf("round trip: %+v then %+v, %v", got, again, err)
		}
	})
}
