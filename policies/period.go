package policies

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/promoedge/promoedge/internal/suggest"
	"github.com/promoedge/promoedge/policies/internal/field"
)

// PeriodKind is the calendar period a per-period limit counts in.
type PeriodKind string

// Period kinds (docs/campaigns.md#per-period-limits).
const (
	Day   PeriodKind = "day"
	Week  PeriodKind = "week" // starts on Monday
	Month PeriodKind = "month"
)

var periodKinds = []string{string(Day), string(Week), string(Month)}

// PeriodLimits caps a campaign's use within each calendar period of its
// time zone; zero means unlimited. Kind is "" when the campaign has none.
type PeriodLimits struct {
	Kind        PeriodKind
	Redemptions int64 // cluster-wide redemptions per period
	Budget      int64 // cluster-wide discount per period, minor units
	PerCustomer int64 // redemptions per customer per period
}

// Set reports whether any per-period limit is set.
func (p PeriodLimits) Set() bool { return p.Kind != "" }

// Label is what a rejection's details say: "daily limit", "weekly limit",
// "monthly limit".
func (k PeriodKind) Label() string {
	switch k {
	case Day:
		return "daily limit"
	case Week:
		return "weekly limit"
	default:
		return "monthly limit"
	}
}

// Period is one calendar period of a campaign's zone: [Start, End).
type Period struct {
	Kind       PeriodKind
	Start, End time.Time
}

// PeriodAt is the period of kind that holds t in loc. Days are calendar
// days, so 23 or 25 hours long across a daylight-saving change.
func PeriodAt(kind PeriodKind, t time.Time, loc *time.Location) Period {
	t = t.In(loc)
	y, m, d := t.Date()
	var start, end time.Time
	switch kind {
	case Day:
		start = time.Date(y, m, d, 0, 0, 0, 0, loc)
		end = time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	case Week:
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		start = time.Date(y, m, d-back, 0, 0, 0, 0, loc)
		end = time.Date(y, m, d-back+7, 0, 0, 0, 0, loc)
	default:
		start = time.Date(y, m, 1, 0, 0, 0, 0, loc)
		end = time.Date(y, m+1, 1, 0, 0, 0, 0, loc)
	}
	return Period{Kind: kind, Start: start, End: end}
}

// Next is the period that follows p.
func (p Period) Next() Period {
	return PeriodAt(p.Kind, p.End, p.Start.Location())
}

// Key names the period in counters and rights: kind, the local date it
// starts on, and its end in Unix seconds, e.g. "day:2026-03-29:1743199200".
// The end is in the name so that what stores the counters can drop those
// of ended periods without knowing the campaign's zone (PeriodKeyEnd).
func (p Period) Key() string {
	var buf [48]byte // one allocation: the string
	b := append(buf[:0], p.Kind...)
	b = append(b, ':')
	b = p.Start.AppendFormat(b, "2006-01-02")
	b = append(b, ':')
	b = strconv.AppendInt(b, p.End.Unix(), 10)
	return string(b)
}

// PeriodKeyEnd is when the period a Key names ends; false if key is not
// one.
func PeriodKeyEnd(key string) (time.Time, bool) {
	i := strings.LastIndexByte(key, ':')
	if i < 0 {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(key[i+1:], 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}

// PeriodAt is the campaign's per-period limits' period at t; the zero
// Period when it has none.
func (c *Campaign) PeriodAt(t time.Time) Period {
	if !c.Limits.PerPeriod.Set() {
		return Period{}
	}
	return PeriodAt(c.Limits.PerPeriod.Kind, t, c.Timezone)
}

// PeriodUsage is a Usage that also reads a campaign's use within one
// period (a Period's Key), in the same read: UsedIn fills Used's plain
// fields as Used does and its Period* fields for period. The store and
// the cluster implement it; evaluate asks it for a campaign with
// per-period limits when the Usage it was given does.
type PeriodUsage interface {
	Usage
	UsedIn(ctx context.Context, campaign, period, customer string) (Used, error)
}

// used reads cd's usage: with its current period's when it has
// per-period limits and the usage can tell.
func (ev *evaluation) used(ctx context.Context, cd *candidate) (Used, error) {
	if pu, ok := ev.usage.(PeriodUsage); ok && cd.c.Limits.PerPeriod.Set() {
		return pu.UsedIn(ctx, cd.c.ID, cd.c.PeriodAt(ev.req.Context.Now).Key(), ev.req.Customer.ID)
	}
	return ev.usage.Used(ctx, cd.c.ID, ev.req.Customer.ID)
}

// PeriodGrace is how long after a period ends its counters and rights are
// kept: a redemption of the period may still be rolled back, and a clock a
// little behind may still ask for it. After that they are dropped.
//
// "After" is by the earlier of two clocks: the committer's own, and the
// latest context.now a redemption with per-period limits was committed
// at. The checkout is trusted for context.now (SPEC §3), so a checkout
// (or a test) that prices in the past keeps its periods' counters while
// it does; one whose clock runs ahead cannot make the sidecar forget
// periods that are still running.
const PeriodGrace = 24 * time.Hour

// PeriodIdle is how far back a committer that has committed nothing with
// per-period limits yet keeps periods: a year and a day. Such a committer
// (a fresh sidecar, a minter that serves no checkout) keeps little: what
// the minter minted. A checkout that prices further back than that on a
// fresh sidecar is refused in its periods.
const PeriodIdle = 366 * 24 * time.Hour

// PeriodCutoff is before when periods must have ended to be forgotten:
// the earlier of now and mark (the latest request time committed), less
// PeriodGrace; without a mark, now less PeriodIdle. A committer records
// the latest cutoff it pruned with and refuses to count in a period that
// ended before it (its counters may be gone).
func PeriodCutoff(now, mark time.Time) time.Time {
	if mark.IsZero() {
		return now.Add(-PeriodIdle)
	}
	if mark.Before(now) {
		now = mark
	}
	return now.Add(-PeriodGrace)
}

// checkPeriod rejects cd when its current period's limits are used up,
// with the period in the details ("daily limit"), as the plain limits are.
func (ev *evaluation) checkPeriod(cd *candidate, u Used) {
	p := cd.c.Limits.PerPeriod
	cd.pspent = u.PeriodSpent
	switch {
	case p.Redemptions > 0 && u.PeriodRedemptions >= p.Redemptions:
		ev.reject(cd, LimitExhausted, []string{p.Kind.Label()})
	case p.PerCustomer > 0 && ev.req.Customer.ID == "":
		ev.reject(cd, PerCustomerLimit, []string{p.Kind.Label(), "the campaign has a per-customer limit and the cart has no customer id"})
	case p.PerCustomer > 0 && u.PeriodCustomer >= p.PerCustomer:
		ev.reject(cd, PerCustomerLimit, []string{p.Kind.Label()})
	case p.Budget > 0 && u.PeriodSpent >= p.Budget:
		ev.reject(cd, BudgetExhausted, []string{p.Kind.Label()})
	}
}

func readPeriodLimits(l *field.Obj, c *Campaign) {
	p := l.Object("per_period")
	if p == nil {
		return
	}
	kind := p.String("period", "")
	switch {
	case kind == "":
		p.Fail("period", "is required: one of day, week, month")
	case !slices.Contains(periodKinds, kind):
		hint := suggest.DidYouMean(kind, periodKinds)
		if hint == "" {
			hint = "; periods are day, week, month"
		}
		p.Fail("period", "unknown period %q%s", kind, hint)
	}
	c.Limits.PerPeriod = PeriodLimits{
		Kind:        PeriodKind(kind),
		Redemptions: p.Int("redemptions", 0, 0),
		Budget:      boundedInt(p, "budget", 0, 0, MaxAmount),
		PerCustomer: p.Int("per_customer", 0, 0),
	}
	if kind != "" && !p.Has("redemptions") && !p.Has("budget") && !p.Has("per_customer") {
		p.Fail("period", "sets no limit: give redemptions, budget or per_customer")
	}
	p.Strict()
}

func (p Period) String() string {
	return fmt.Sprintf("%s from %s", p.Kind, p.Start.Format(time.RFC3339))
}

// PeriodReason is the reason c's per-period limits refuse one more
// redemption, or "": per_customer against this node's count, the
// cluster-wide limits by has, which reports whether need more of a limit
// may be taken (this node's counts here; held rights in a fleet).
func (c *RedeemedCampaign) PeriodReason(customer string, u Used, has func(k RightsKey, need int64) bool) Reason {
	p := c.Limits.PerPeriod
	if !p.Set() || c.Period == "" {
		return ""
	}
	key := func(kind LimitKind) RightsKey {
		return RightsKey{Campaign: c.Campaign, Period: c.Period, Kind: kind}
	}
	switch {
	case p.Redemptions > 0 && !has(key(LimitPeriodRedemptions), 1):
		return LimitExhausted
	case p.PerCustomer > 0 && (customer == "" || u.PeriodCustomer+1 > p.PerCustomer):
		return PerCustomerLimit
	case p.Budget > 0 && !has(key(LimitPeriodBudget), c.Amount):
		return BudgetExhausted
	}
	return ""
}
