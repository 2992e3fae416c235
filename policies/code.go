package policies

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
)

// Code is one generated code: a code of a campaign with unique_codes,
// usable MaxUses times, made by a CodeSpec.
type Code struct {
	Code     string    `json:"code"`
	Campaign string    `json:"campaign"`
	State    CodeState `json:"state"`
	Uses     int64     `json:"uses"`
	MaxUses  int64     `json:"max_uses"`
	Owner    string    `json:"owner,omitempty"`
	// OwnerEmail is a referral code's referrer's e-mail, normalized
	// (NormalizeEmail), for the self-referral check.
	OwnerEmail string `json:"owner_email,omitempty"`
	// Referral: a referral code, whose owner is its referrer from the
	// start and stays so whatever its uses.
	Referral bool `json:"referral,omitempty"`
	// Origin is the node that generated the code, when that is another
	// node of the cluster ("": this one). A node holds the uses of the
	// codes it generated until they are moved to another.
	Origin    string    `json:"origin,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// CodeState is whether a code can still be used.
type CodeState string

// Code states.
const (
	CodeStateActive CodeState = "active"
	CodeStateUsed   CodeState = "used"
)

// CodeSpec asks for generated codes. In Pattern, '#' is a digit, '?' an
// upper-case letter, anything else literal.
type CodeSpec struct {
	Count   int    `json:"count"`
	Pattern string `json:"pattern"`
	Prefix  string `json:"prefix"`
	Postfix string `json:"postfix"`
	// Amount and Currency are a gift card's first balance and currency
	// (SPEC §8): only for a gift card program, which gives the defaults.
	Amount   *int64 `json:"amount,omitempty"`
	Currency string `json:"currency,omitempty"`
	// Card makes each code a gift card with these terms (set from the
	// campaign by Campaign.Terms); nil for other codes.
	Card *CardTerms `json:"-"`
}

// Limits of code generation.
const (
	MaxCodesPerCall = 1_000_000
	maxCodeLen      = 64
)

// literal characters allowed in codes besides the pattern's.
const codeChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"

// Validate reports what is wrong with a spec before anything is written.
func (sp *CodeSpec) Validate() error {
	if sp.Amount != nil && *sp.Amount < 0 {
		return fmt.Errorf("%w: amount must not be negative, got %d", ErrBadAmount, *sp.Amount)
	}
	if sp.Count < 1 || sp.Count > MaxCodesPerCall {
		return fmt.Errorf("%w: count must be from 1 to %d, got %d", ErrBadPattern, MaxCodesPerCall, sp.Count)
	}
	if !strings.ContainsAny(sp.Pattern, "#?") {
		return fmt.Errorf("%w: pattern %q has no '#' or '?' to vary", ErrBadPattern, sp.Pattern)
	}
	for name, s := range map[string]string{"pattern": sp.Pattern, "prefix": sp.Prefix, "postfix": sp.Postfix} {
		for _, r := range s {
			if r != '#' && r != '?' && !strings.ContainsRune(codeChars, r) || (name != "pattern" && (r == '#' || r == '?')) {
				return fmt.Errorf("%w: %s %q has the character %q; codes use A-Z, 0-9, '-' and '_'", ErrBadPattern, name, s, r)
			}
		}
	}
	if n := len(sp.Prefix) + len(sp.Pattern) + len(sp.Postfix); n > maxCodeLen {
		return fmt.Errorf("%w: codes would be %d characters, at most %d", ErrBadPattern, n, maxCodeLen)
	}
	return nil
}

// ValidCode reports whether c could be a generated code: 1 to 64 of the
// characters A-Z, 0-9, '-' and '_'.
func ValidCode(c string) bool {
	return c != "" && len(c) <= maxCodeLen && strings.Trim(c, codeChars) == ""
}

// Space is how many codes the pattern can make.
func (sp *CodeSpec) Space() float64 {
	return math.Pow(10, float64(strings.Count(sp.Pattern, "#"))) * math.Pow(26, float64(strings.Count(sp.Pattern, "?")))
}

// CodeBook keeps generated codes: it makes them from a spec and looks
// them up. The bbolt store implements it.
type CodeBook interface {
	// CheckCodes refuses, before anything is written, a spec that is
	// invalid (ErrBadPattern) or whose pattern space is too small
	// (ErrPatternTooSmall).
	CheckCodes(spec CodeSpec) error
	// Generate makes spec.Count new codes for campaign, calling emit with
	// each batch once it is durable.
	Generate(ctx context.Context, campaign string, spec CodeSpec, emit func([]string) error) error
	// Code looks one code up (ErrUnknownCode when there is none).
	Code(ctx context.Context, code string) (*Code, error)
}
