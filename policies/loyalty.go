package policies

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/internal/tz"
)

// ErrInvalidProgram wraps every problem with the loyalty program document.
var ErrInvalidProgram = errors.New("invalid loyalty program")

// maxDays bounds pending_days, expire_days and window_days (a century):
// beyond it a day count is a typo, and its time arithmetic stays exact.
const maxDays = 36500

// MaxPoints bounds one lot, one reward's price, one adjustment: a number of
// points past it is a typo, and sums of many stay far from overflow.
const MaxPoints = 1_000_000_000_000

// Program is a bundle's loyalty program (data.promo.loyalty), validated.
type Program struct {
	Timezone    *time.Location     // calendar of the earning caps
	PendingDays int64              // days before a redemption's points are spendable
	ExpireDays  int64              // days an active lot lives; 0: never expires
	WindowDays  int64              // tiers qualify on points earned in this window
	Tiers       []Tier             // ascending by AtLeast; the first is at 0
	Earning     map[string]Earning // by event type
	Rewards     map[string]*Reward // the catalogue, by id
}

// Tier is one level of the program.
type Tier struct {
	Name    string
	AtLeast int64
}

// Earning is what one event type earns.
type Earning struct {
	Points            int64
	PerCustomerPerDay int64 // 0: no cap
}

// Reward is one entry of the catalogue.
type Reward struct {
	ID       string
	Name     string
	Points   int64
	Stock    int64   // 0: unlimited
	Effect   *Effect // a reward applied at checkout
	Donation *Donation
	GiftCard *RewardCard // a gift card issued to the customer (SPEC §8)
}

// RewardCard is a reward that issues a card of a gift card program.
type RewardCard struct {
	Campaign string `json:"campaign"`
	Amount   *int64 `json:"amount,omitempty"` // nil: the program's
}

// Donation is a reward that gives to a charity.
type Donation struct {
	Charity string `json:"charity"`
	Amount  int64  `json:"amount"`
}

// ProgramError lists every problem found in the loyalty program document.
type ProgramError struct{ Problems []*FieldError }

func (e *ProgramError) Error() string { return joinProblems("loyalty program", e.Problems) }

// Unwrap lets errors.Is match ErrInvalidProgram.
func (e *ProgramError) Unwrap() error { return ErrInvalidProgram }

// ParseProgram validates a loyalty program document, reporting every
// problem at once in a *ProgramError whose fields are relative to the
// document ("rewards.five-off.points").
func ParseProgram(doc map[string]any) (*Program, error) {
	var errs field.Errors
	o := field.Object("", doc, &errs)
	p := &Program{
		Timezone:    readZone(o),
		PendingDays: o.Int("pending_days", 0, 0),
		ExpireDays:  o.Int("expire_days", 0, 0),
		WindowDays:  365,
	}
	for k, n := range map[string]int64{"pending_days": p.PendingDays, "expire_days": p.ExpireDays} {
		if n > maxDays {
			o.Fail(k, "must be at most %d days, got %d", maxDays, n)
		}
	}
	readTiers(o, p)
	p.Earning = readEarning(o)
	p.Rewards = readRewards(o)
	o.Strict()
	if len(errs) > 0 {
		return nil, &ProgramError{Problems: errs}
	}
	return p, nil
}

func readZone(o *field.Obj) *time.Location {
	name := o.String("timezone", "UTC")
	loc, err := tz.Load(name)
	if err != nil {
		o.Fail("timezone", "%v", err)
		return time.UTC
	}
	return loc
}

func readTiers(o *field.Obj, p *Program) {
	p.Tiers = []Tier{{Name: "", AtLeast: 0}}
	t := o.Object("tiers")
	if t == nil {
		return
	}
	p.WindowDays = t.Int("window_days", 365, 1)
	if p.WindowDays > maxDays {
		t.Fail("window_days", "must be at most %d days, got %d", maxDays, p.WindowDays)
	}
	levels := t.Objects("levels")
	if len(levels) == 0 {
		t.Fail("levels", "is required: at least one level, the first at_least 0")
	}
	seen := map[string]bool{}
	var out []Tier
	for _, l := range levels {
		if l == nil {
			continue
		}
		tier := Tier{Name: l.String("name", ""), AtLeast: l.Int("at_least", 0, 0)}
		switch {
		case tier.Name == "":
			l.Fail("name", "is required")
		case seen[tier.Name]:
			l.Fail("name", "level %q is listed twice", tier.Name)
		case len(out) > 0 && tier.AtLeast <= out[len(out)-1].AtLeast:
			l.Fail("at_least", "must be above the previous level's %d, got %d", out[len(out)-1].AtLeast, tier.AtLeast)
		case len(out) == 0 && tier.AtLeast != 0:
			l.Fail("at_least", "the first level must be at 0 (every customer has a tier), got %d", tier.AtLeast)
		}
		seen[tier.Name] = true
		out = append(out, tier)
		l.Strict()
	}
	t.Strict()
	if len(out) > 0 {
		p.Tiers = out
	}
}

func readEarning(o *field.Obj) map[string]Earning {
	e := o.Object("earning")
	if e == nil {
		return nil
	}
	out := map[string]Earning{}
	for _, typ := range sortedKeys(o.Map("earning")) {
		eo := e.Object(typ)
		if eo == nil {
			continue
		}
		out[typ] = Earning{Points: eo.Int("points", 0, 1), PerCustomerPerDay: eo.Int("per_customer_per_day", 0, 0)}
		if !eo.Has("points") {
			eo.Fail("points", "is required")
		} else if out[typ].Points > MaxPoints {
			eo.Fail("points", "must be at most %d", int64(MaxPoints))
		}
		eo.Strict()
	}
	return out
}

func readRewards(o *field.Obj) map[string]*Reward {
	r := o.Object("rewards")
	if r == nil {
		return nil
	}
	out := map[string]*Reward{}
	for _, id := range sortedKeys(o.Map("rewards")) {
		if ro := r.Object(id); ro != nil {
			out[id] = readReward(ro, id)
		}
	}
	return out
}

func readReward(o *field.Obj, id string) *Reward {
	rw := &Reward{ID: id, Name: o.String("name", id), Points: o.Int("points", 0, 1), Stock: o.Int("stock", 0, 0)}
	if !o.Has("points") {
		o.Fail("points", "is required: what the reward costs")
	} else if rw.Points > MaxPoints {
		o.Fail("points", "must be at most %d", int64(MaxPoints))
	}
	kinds := 0
	if eo := o.Object("effect"); eo != nil {
		kinds++
		rw.Effect = &Effect{}
		readEffect(eo, rw.Effect)
		if rw.Effect.Type == PointsEffect {
			eo.Fail("type", "a reward cannot give points")
		}
	}
	if do := o.Object("donation"); do != nil {
		kinds++
		rw.Donation = &Donation{Charity: do.String("charity", ""), Amount: do.Int("amount", 0, 0)}
		if rw.Donation.Charity == "" {
			do.Fail("charity", "is required")
		}
		do.Strict()
	}
	if go_ := o.Object("gift_card"); go_ != nil {
		kinds++
		rw.GiftCard = &RewardCard{Campaign: go_.String("campaign", "")}
		if rw.GiftCard.Campaign == "" {
			go_.Fail("campaign", "is required: the gift card program that issues the card")
		}
		if go_.Has("amount") {
			n := boundedInt(go_, "amount", 0, 1, MaxAmount)
			rw.GiftCard.Amount = &n
		}
		go_.Strict()
	}
	if kinds != 1 {
		o.Fail("effect", "a reward has exactly one of effect, donation or gift_card")
	}
	o.Strict()
	return rw
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// CheckCards reports every gift card reward whose campaign is not a gift
// card program of campaigns (the bundle checks it once both are read).
func (p *Program) CheckCards(campaigns []*Campaign) []*FieldError {
	byID := make(map[string]*Campaign, len(campaigns))
	for _, c := range campaigns {
		byID[c.ID] = c
	}
	var out []*FieldError
	for _, id := range sortedKeys(p.Rewards) {
		rw := p.Rewards[id]
		if rw.GiftCard == nil {
			continue
		}
		c := byID[rw.GiftCard.Campaign]
		f := "rewards." + id + ".gift_card.campaign"
		switch {
		case c == nil:
			out = append(out, &FieldError{Field: f, Message: fmt.Sprintf("no campaign %q in the bundle", rw.GiftCard.Campaign)})
		case c.GiftCard == nil:
			out = append(out, &FieldError{Field: f, Message: fmt.Sprintf("campaign %q is not a gift card program (it has no gift_card:)", c.ID)})
		default:
			if _, err := c.Terms(rw.GiftCard.Amount, ""); err != nil {
				out = append(out, &FieldError{Field: f, Message: err.Error()})
			}
		}
	}
	return out
}

// TierOf is the highest tier whose AtLeast is at most earned, and the next
// one (nil at the top).
func (p *Program) TierOf(earned int64) (Tier, *Tier) {
	i := sort.Search(len(p.Tiers), func(i int) bool { return p.Tiers[i].AtLeast > earned }) - 1
	i = max(i, 0)
	if i+1 < len(p.Tiers) {
		return p.Tiers[i], &p.Tiers[i+1]
	}
	return p.Tiers[i], nil
}

// Terms are the times of a lot credited at t under the program; pending
// false makes the lot active at once (an adjustment, an event).
func (p *Program) Terms(t time.Time, pending bool) LotTerms {
	lt := LotTerms{Active: t.UTC()}
	if pending {
		lt.Active = lt.Active.Add(time.Duration(p.PendingDays) * 24 * time.Hour)
	}
	if p.ExpireDays > 0 {
		lt.Expiry = lt.Active.Add(time.Duration(p.ExpireDays) * 24 * time.Hour)
	}
	return lt
}
