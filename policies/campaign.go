package policies

import (
	"fmt"
	"strings"
	"time"

	"github.com/promoedge/promoedge/internal/suggest"
	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/internal/tz"
)

// Stacking says how a campaign combines with the others.
type Stacking string

// Stacking modes (docs/campaigns.md#stacking).
const (
	Stackable Stacking = "stackable"
	Exclusive Stacking = "exclusive"
	Stop      Stacking = "stop"
	// Best competes with the campaigns of its Group: only the one giving
	// the largest discount applies (docs/campaigns.md#best-deal).
	Best Stacking = "best"
)

// Limits caps a campaign's use; zero means unlimited.
type Limits struct {
	Redemptions int64 // cluster-wide count of redemptions
	PerCustomer int64 // redemptions per customer
	Budget      int64 // cluster-wide total discount, minor units
	PerPeriod   PeriodLimits
}

// Campaign is one promotion of a bundle, validated.
type Campaign struct {
	ID          string
	Name        string
	Enabled     bool
	Priority    int64
	ValidFrom   time.Time // zero: no start
	ValidUntil  time.Time // zero: no end; exclusive
	Timezone    *time.Location
	Code        string // public code, as written
	UniqueCodes bool   // generated codes (see the redemption store)
	Stacking    Stacking
	Group       string // the best-deal group of a Best campaign
	Limits      Limits
	Currency    string // when set, carts in other currencies are refused
	Rule        string // Rego package promo.rules.<Rule>; "" with Wasm or for none
	Wasm        string // custom module promo/wasm/<Wasm>.wasm
	// When is the campaign's when: block (structured conditions) as
	// written; the bundle loader compiles it into a rule and sets Rule.
	When any
	// WasmTimeout is the deadline of one call of the Wasm module
	// (wasm_timeout_ms); zero means the host's default.
	WasmTimeout time.Duration
	Effects     []Effect
	// DynamicEffects is set when the rule may return its own effects.
	DynamicEffects bool
	// GiftCard makes the campaign a gift card program (SPEC §8), whose
	// codes pay with a balance; nil for any other campaign.
	GiftCard *GiftCardProgram
	// Referral makes the campaign a referral programme (SPEC §9): its
	// effects are the friend's, its codes the referrers'.
	Referral *ReferralProgram
	// CardFilter is the lines a gift card program's cards may pay for
	// (the zero filter: every line and shipping).
	CardFilter Filter
	// Variants make the campaign an experiment (experiment.go); Phase
	// names their definition.
	Variants []Variant
	Phase    string
	// Doc is the campaign document as the bundle holds it; rules see it as
	// input.campaign.
	Doc map[string]any

	filtered bool // every effect is line filtered (see gateFilter)
}

// NeedsCode reports whether the campaign only applies with a code.
func (c *Campaign) NeedsCode() bool { return c.Code != "" || c.UniqueCodes }

// HasRule reports whether a rule decides the campaign's eligibility.
func (c *Campaign) HasRule() bool { return c.Rule != "" || c.Wasm != "" || c.When != nil }

// localLayouts are the forms valid_from and valid_until may take without an
// offset; they are read in the campaign's time zone.
var localLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"}

// ParseCampaign validates a campaign document (decoded JSON or YAML, numbers
// as json.Number). It reports every problem at once in a *CampaignError.
func ParseCampaign(id string, doc map[string]any) (*Campaign, error) {
	var errs field.Errors
	o := field.Object("", doc, &errs)
	c := &Campaign{
		ID:          id,
		Doc:         doc,
		Name:        o.String("name", id),
		Enabled:     o.Bool("enabled", true),
		Priority:    o.Int("priority", 0, -1<<40),
		Code:        strings.TrimSpace(o.String("code", "")),
		UniqueCodes: o.Bool("unique_codes", false),
		Stacking:    Stacking(o.String("stacking", string(Stackable))),
		Group:       strings.TrimSpace(o.String("group", "")),
		Currency:    o.String("currency", ""),
		Rule:        o.String("rule", ""),
		Wasm:        o.String("wasm", ""),
		Timezone:    time.UTC,
	}
	o.String("description", "")
	o.Map("metadata")
	if id == "" {
		errs = append(errs, &FieldError{Message: "campaign id must not be empty"})
	}
	readSchedule(o, c)
	readLimits(o, c)
	readStacking(o, c)
	if c.Currency != "" && !currencyRE.MatchString(c.Currency) {
		o.Fail("currency", "must be an ISO 4217 code such as \"USD\", got %q", c.Currency)
	}
	if c.Code != "" && c.UniqueCodes {
		o.Fail("code", "a campaign has either a public code or unique_codes, not both")
	}
	if c.Rule != "" && c.Wasm != "" {
		o.Fail("wasm", "a campaign has either a rule or a wasm module, not both")
	}
	readWhen(o, c)
	readWasmTimeout(o, c)
	readGiftCard(o, c)
	readReferral(o, c)
	readVariants(o, c)
	if !o.Has("effects") && !o.Has("variants") && (!c.HasRule() || c.When != nil) && c.GiftCard == nil {
		o.Fail("effects", "is required (or a rule that returns effects)")
	}
	c.Effects = readEffects(o, "effects")
	c.filtered = len(c.Effects) > 0
	for i := range c.Effects {
		c.filtered = c.filtered && c.Effects[i].lineFiltered()
	}
	o.Strict()
	if len(errs) > 0 {
		return nil, &CampaignError{Campaign: id, Problems: errs}
	}
	return c, nil
}

// MaxWasmTimeout bounds wasm_timeout_ms: a rule on the checkout's hot path
// never gets a second.
const MaxWasmTimeout = 1000 * time.Millisecond

func readWasmTimeout(o *field.Obj, c *Campaign) {
	if !o.Has("wasm_timeout_ms") {
		return
	}
	ms := o.Int("wasm_timeout_ms", 0, 1)
	switch {
	case c.Wasm == "":
		o.Fail("wasm_timeout_ms", "only applies to a campaign with a wasm module")
	case ms > MaxWasmTimeout.Milliseconds():
		o.Fail("wasm_timeout_ms", "must be from 1 to %d milliseconds, got %d", MaxWasmTimeout.Milliseconds(), ms)
	default:
		c.WasmTimeout = time.Duration(ms) * time.Millisecond
	}
}

// readWhen accepts a when: block in place of a rule; policies/when
// validates and compiles it.
func readWhen(o *field.Obj, c *Campaign) {
	c.When, _ = o.Raw("when")
	switch {
	case c.When != nil && c.Rule != "":
		o.Fail("when", "a campaign has either a rule or a when block, not both")
	case c.When != nil && c.Wasm != "":
		o.Fail("when", "a campaign has either a wasm module or a when block, not both")
	}
}

func readSchedule(o *field.Obj, c *Campaign) {
	if name := o.String("timezone", ""); name != "" {
		loc, err := tz.Load(name)
		if err != nil {
			o.Fail("timezone", "%v", err)
		} else {
			c.Timezone = loc
		}
	}
	c.ValidFrom = readTime(o, "valid_from", c.Timezone)
	c.ValidUntil = readTime(o, "valid_until", c.Timezone)
	if !c.ValidFrom.IsZero() && !c.ValidUntil.IsZero() && !c.ValidUntil.After(c.ValidFrom) {
		o.Fail("valid_until", "must be after valid_from")
	}
}

func readTime(o *field.Obj, key string, loc *time.Location) time.Time {
	s := o.String(key, "")
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t
	}
	for _, layout := range localLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t
		}
	}
	o.Fail(key, "must be a local time like \"2026-06-01T00:00:00\" or an RFC 3339 time, got %q", s)
	return time.Time{}
}

func readStacking(o *field.Obj, c *Campaign) {
	switch c.Stacking {
	case Stackable, Exclusive, Stop:
		if c.Group != "" {
			o.Fail("group", "only a campaign with stacking: best has a group (this one is %s)", c.Stacking)
		}
	case Best:
		if c.Group == "" {
			o.Fail("group", "is required with stacking: best: the name of the group whose members compete")
		}
	default:
		o.Fail("stacking", "must be one of stackable, exclusive, stop, best; got %q%s", c.Stacking,
			suggest.DidYouMean(string(c.Stacking), []string{string(Stackable), string(Exclusive), string(Stop), string(Best)}))
	}
}

func readLimits(o *field.Obj, c *Campaign) {
	l := o.Object("limits")
	if l == nil {
		return
	}
	c.Limits = Limits{
		Redemptions: l.Int("redemptions", 0, 0),
		PerCustomer: l.Int("per_customer", 0, 0),
		Budget:      boundedInt(l, "budget", 0, 0, MaxAmount),
	}
	readPeriodLimits(l, c)
	l.Strict()
}

// Status is where the campaign stands at t: Disabled, NotStarted, Expired
// or "" when it can apply.
func (c *Campaign) Status(t time.Time) Reason {
	if !c.Enabled {
		return Disabled
	}
	return c.schedule(t)
}

func (c *Campaign) schedule(t time.Time) Reason {
	if !c.ValidFrom.IsZero() && t.Before(c.ValidFrom) {
		return NotStarted
	}
	if !c.ValidUntil.IsZero() && !t.Before(c.ValidUntil) {
		return Expired
	}
	return ""
}

func (c *Campaign) String() string { return fmt.Sprintf("campaign %s", c.ID) }
