package policies

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/promoedge/promoedge/policies/internal/field"
)

// Referral programs (SPEC §9): a campaign with referral: gives its
// effects to a new customer who presents a referrer's code, and the
// referrer points by their loyalty tier, as a pending lot whose source is
// the friend's redemption.

// Reasons of referrals.
const (
	ReferralSelf   Reason = "referral_self"
	ReferralNotNew Reason = "referral_not_new"
	ReferralLimit  Reason = "referral_limit"
)

// ErrNotReferral: the campaign is not a referral programme.
var ErrNotReferral = errors.New("not a referral programme")

// Unlimited is the max_referrals of a tier without a limit: a referral
// code's uses are a generated code's, so "no limit" is a number no
// referrer reaches.
const Unlimited int64 = 1 << 40

// ReferralProgram is a campaign's referral: block, by loyalty tier (and
// "default" for a referrer without one).
type ReferralProgram struct {
	Points map[string]int64 // referrer_points
	Max    map[string]int64 // max_referrals; 0: no limit
}

// ForTier is the points and the limit of a referrer of tier.
func (p *ReferralProgram) ForTier(tier string) (points, limit int64) {
	points, ok := p.Points[tier]
	if !ok {
		points = p.Points["default"]
	}
	limit, ok = p.Max[tier]
	if !ok {
		limit = p.Max["default"]
	}
	if limit == 0 {
		limit = Unlimited
	}
	return points, limit
}

func readReferral(o *field.Obj, c *Campaign) {
	ro := o.Object("referral")
	if ro == nil {
		return
	}
	c.Referral = &ReferralProgram{Points: readTierInts(ro, "referrer_points", MaxPoints), Max: readTierInts(ro, "max_referrals", Unlimited-1)}
	ro.Strict()
	switch {
	case c.GiftCard != nil:
		o.Fail("referral", "a campaign is a gift card program or a referral programme, not both")
	case c.Code != "":
		o.Fail("code", "a referral programme's codes are the referrers' (POST /v1/referrals), not a public code")
	}
	c.UniqueCodes = true
}

func readTierInts(o *field.Obj, key string, most int64) map[string]int64 {
	out := map[string]int64{}
	m := o.Object(key)
	if m == nil {
		o.Fail(key, "is required: by tier, e.g. {basic: 10, vip: 20, default: 10}")
		return out
	}
	for _, tier := range sortedKeys(o.Map(key)) {
		out[tier] = boundedInt(m, tier, 0, 0, most)
	}
	return out
}

// Referral is a referrer's code of a programme (POST /v1/referrals).
type Referral struct {
	Code      string `json:"code"`
	Campaign  string `json:"campaign"`
	Referrer  string `json:"referrer"`
	Referrals int64  `json:"referrals"`
	// Remaining is how many more friends the code may bring; nil: no limit.
	Remaining *int64 `json:"remaining"`
}

// ReferralUse is one successful referral of a code.
type ReferralUse struct {
	Friend       string    `json:"friend"`
	RedemptionID string    `json:"redemption_id"`
	At           time.Time `json:"at"`
	Points       int64     `json:"points"`
}

// ReferralView is GET /v1/referrals/{code}: the code and its successful
// referrals.
type ReferralView struct {
	Referral
	Uses []ReferralUse `json:"uses"`
}

// RedeemedReferral is what a redemption owes a referrer.
type RedeemedReferral struct {
	Code     string `json:"code"`
	Campaign string `json:"campaign"`
	Referrer string `json:"referrer"`
	Points   int64  `json:"points"` // by the referrer's tier when priced
}

// ReferralAsk asks for a referrer's code.
type ReferralAsk struct {
	Campaign   string         `json:"campaign"`
	CustomerID string         `json:"customer_id"`
	Customer   map[string]any `json:"customer"`
}

// ReferralStore keeps referral codes and their uses; the bbolt store
// implements it.
type ReferralStore interface {
	// IssueReferral returns the referrer's code of campaign, making it
	// (with limit uses, email kept for the self-referral check) the
	// first time; the same referrer gets the same code.
	IssueReferral(ctx context.Context, campaign, referrer, email string, limit int64, at time.Time) (*Referral, error)
	// ReferralView reads a code and its successful referrals
	// (ErrUnknownCode when it is no referral code).
	ReferralView(ctx context.Context, code string) (*ReferralView, error)
	// ReferralOf reads the referrer and e-mail of a code.
	ReferralOf(ctx context.Context, code string) (referrer, email string, err error)
	// Known reports whether the customer has a redemption here, or was
	// referred before (here, or on another node whose records reached
	// this one).
	Known(ctx context.Context, customer string) (redeemed, referred bool, err error)
	// Referrer reads referrer's code of campaign (ErrUnknownCode: none
	// here).
	Referrer(ctx context.Context, campaign, referrer string) (*Referral, error)
}

// NormalizeEmail is an e-mail as the self-referral check compares it:
// lower-cased, with any +tag of the local part removed.
func NormalizeEmail(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	local, domain, ok := strings.Cut(s, "@")
	if !ok {
		return s
	}
	local, _, _ = strings.Cut(local, "+")
	return local + "@" + domain
}

// gateReferral checks a referral code's customer: signed in, not the
// referrer, new and never referred (SPEC §9).
func gateReferral(ev *evaluation, cd *candidate) (Reason, []string) {
	c := cd.c
	if c.Referral == nil {
		return "", nil
	}
	cust := ev.req.Customer.ID
	if cust == "" {
		return NotSignedIn, nil
	}
	if ev.referrals == nil {
		return CodeInvalid, nil
	}
	ctx := ev.ctx
	referrer, email, err := ev.referrals.ReferralOf(ctx, cd.code)
	if err != nil {
		return RuleError, []string{err.Error()}
	}
	cm, _ := ev.req.Input["customer"].(map[string]any) // nil when absent: reads as empty
	if given, _ := cm["email"].(string); referrer == cust || (email != "" && email == NormalizeEmail(given)) {
		return ReferralSelf, nil
	}
	if n, _ := cm["orders_count"].(json.Number); n != "" && n != "0" {
		return ReferralNotNew, []string{"the customer has orders"}
	}
	redeemed, referred, err := ev.referrals.Known(ctx, cust)
	switch {
	case err != nil:
		return RuleError, []string{err.Error()}
	case referred:
		return ReferralNotNew, []string{"the customer was referred before"}
	case redeemed:
		return ReferralNotNew, []string{"the customer has redeemed before"}
	case cd.codeErr == CodeUsed:
		return ReferralLimit, nil
	}
	return "", nil
}

// friendClaim is a redemption's claim on its customer's referral in a
// fleet's Registry: taken before a referral is committed, kept when it
// was, given back when the referral did not stand.
type friendClaim struct {
	name string // "": none taken
	used bool
}

// claim claims r's customer when r is a referral, once per redemption,
// and reports whether the fleet refused it: then the referral loses, as
// it would to a record of this node's.
func (f *friendClaim) claim(ctx context.Context, reg Registry, r *Redemption) (lost bool, err error) {
	if reg == nil || r.Referral == nil || f.name != "" {
		return false, nil
	}
	name := FriendClaim(r.CustomerID)
	switch _, err := reg.Claim(ctx, name); {
	case err == nil:
		f.name = name
		return false, nil
	case errors.Is(err, ErrClaimed), errors.Is(err, ErrUnconfirmed):
		return true, nil
	default:
		return false, fmt.Errorf("claiming the referral of %s: %w", r.CustomerID, err)
	}
}

// release gives the claim back unless a committed referral used it.
func (f *friendClaim) release(reg Registry) {
	if f.name != "" && !f.used {
		reg.Release(f.name)
	}
}

// lose adds campaign's lost race to forced.
func lose(forced map[string]Reason, campaign string, why Reason) map[string]Reason {
	if forced == nil {
		forced = map[string]Reason{}
	}
	forced[campaign] = why
	return forced
}

// lostDetail is the detail of a campaign rejected for what it lost
// while redeeming.
func lostDetail(r Reason) string {
	if r == ReferralNotNew {
		return "the customer redeemed, or was referred, while redeeming (here or on another node of the fleet)"
	}
	return "the limit ran out while redeeming"
}

// referralOf is what a redemption of d owes the referrer of its referral
// code, if it applied one: their tier's points now.
func (e *Engine) referralOf(ctx context.Context, rev *Revision, dec *Decision, now time.Time) (*RedeemedReferral, error) {
	for _, a := range dec.Applied {
		c := rev.byID[a.Campaign]
		if c == nil || c.Referral == nil || a.Code == "" || e.referrals == nil {
			continue
		}
		referrer, _, err := e.referrals.ReferralOf(ctx, a.Code)
		if err != nil {
			return nil, err
		}
		tier, err := e.tierName(ctx, rev, referrer, now)
		if err != nil {
			return nil, err
		}
		points, _ := c.Referral.ForTier(tier)
		return &RedeemedReferral{Code: a.Code, Campaign: c.ID, Referrer: referrer, Points: points}, nil
	}
	return nil, nil
}

// tierName is customer's loyalty tier now ("default" without a
// programme): on a fleet, of the points earned on every node, as the
// others last told their shares (as pricing reads a wallet).
func (e *Engine) tierName(ctx context.Context, rev *Revision, customer string, now time.Time) (string, error) {
	p := rev.Loyalty
	if p == nil || e.wallets == nil {
		return "default", nil
	}
	b, err := e.wallets.Balances(ctx, customer, now, p.Window())
	if err != nil {
		return "", fmt.Errorf("reading the tier of %s: %w", customer, err)
	}
	if e.pool != nil {
		b = b.Add(e.pool.Gossiped(customer))
	}
	t, _ := p.TierOf(b.Earned)
	return t.Name, nil
}

// IssueReferral answers POST /v1/referrals: the referrer's code of a
// referral programme, with their tier's limit when first made.
func (e *Engine) IssueReferral(ctx context.Context, ask *ReferralAsk) (*Referral, error) {
	if e.referrals == nil {
		return nil, ErrNoStore
	}
	if err := CheckCustomer("customer_id", ask.CustomerID); err != nil {
		return nil, err
	}
	if ask.Campaign == "" {
		return nil, badField("campaign", "is required")
	}
	rev := e.Revision()
	if rev == nil {
		return nil, ErrNoRevision
	}
	c, err := rev.Campaign(ask.Campaign)
	if err != nil {
		return nil, err
	}
	if c.Referral == nil {
		return nil, &RequestError{Problems: []*FieldError{{Field: "campaign", Message: fmt.Sprintf("campaign %s is not a referral programme (it has no referral:)", c.ID)}}}
	}
	now := e.now()
	tier, err := e.tierName(ctx, rev, ask.CustomerID, now)
	if err != nil {
		return nil, err
	}
	_, limit := c.Referral.ForTier(tier)
	email, _ := ask.Customer["email"].(string)
	if e.registry != nil { // a fleet: the referrer's one code may be another node's
		r, err := e.referrals.Referrer(ctx, c.ID, ask.CustomerID)
		if !errors.Is(err, ErrUnknownCode) {
			return r, err
		}
		if _, err := e.registry.Claim(ctx, ReferrerClaim(c.ID, ask.CustomerID)); err != nil {
			// Another node made it, or is making it: its code reaches
			// this one within a moment (the cluster waits for it).
			if r, rerr := e.referrals.Referrer(ctx, c.ID, ask.CustomerID); rerr == nil {
				return r, nil
			}
			return nil, fmt.Errorf("%w: the referrer's code of %s: %w", ErrTryAgain, c.ID, err)
		}
	}
	return e.referrals.IssueReferral(ctx, c.ID, ask.CustomerID, NormalizeEmail(email), limit, now)
}

// ReferralView answers GET /v1/referrals/{code}.
func (e *Engine) ReferralView(ctx context.Context, code string) (*ReferralView, error) {
	if e.referrals == nil {
		return nil, ErrNoStore
	}
	return e.referrals.ReferralView(ctx, code)
}
