package store

import (
	"math/rand/v2"
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
