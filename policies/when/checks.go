package when

import (
	"slices"
	"time"
)

// check is a leaf's condition evaluated natively on a request: true when
// the Rego rule of the leaf is true, false when it is false or undefined
// (the data it reads is absent).
type check func(f *facts) bool

// pathOf reads input.<root>.<key>: customer or context.
func (f *facts) pathOf(customer bool, key string) (any, bool) {
	if customer {
		return get(f.customer, key)
	}
	return get(f.context, key)
}

// isOneOfAt is input.<root>.<key> == v, or in {v, ...}.
func isOneOfAt(customer bool, key string, vs []value) check {
	return func(f *facts) bool {
		x, ok := f.pathOf(customer, key)
		return ok && isOneOf(x, vs)
	}
}

// memberAt is `v in input.customer.<key>`, or some element of it in
// {v, ...}.
func memberAt(key string, vs []value) check {
	return func(f *facts) bool {
		x, ok := get(f.customer, key)
		return ok && anyIn(x, vs)
	}
}

// customerAttribute is input.customer.attributes.<key> in {v, ...}.
func customerAttribute(key string, vs []value) check {
	return func(f *facts) bool {
		attrs, _ := get(f.customer, "attributes")
		x, ok := get(attrs, key)
		return ok && isOneOf(x, vs)
	}
}

// signedIn is input.customer.id != "".
func signedIn(f *facts) bool {
	x, ok := get(f.customer, "id")
	return ok && x != ""
}

// ordersCount compares object.get(input, ["customer", "orders_count"], 0).
func ordersCount(c cmp) check {
	return func(f *facts) bool {
		x, ok := get(f.customer, "orders_count")
		if !ok {
			return c.holdsInt(0)
		}
		return c.holds(compareTo(x, c.n))
	}
}

// daysSince compares the whole days since input.customer.<key>.
func daysSince(key string, c cmp) check {
	return func(f *facts) bool {
		d, defined, ok := f.since(key)
		return defined && ok && c.holdsInt(d)
	}
}

// defined is a missing condition's presence test: input.customer.<key> is
// defined and not false.
func defined(key string) check {
	return func(f *facts) bool {
		x, ok := get(f.customer, key)
		return ok && x != false
	}
}

// zone says which clock days and hours read: a named zone, or (loc nil)
// the customer's, def when they have none.
type zone struct {
	loc, def *time.Location
}

func (z zone) now(f *facts) (time.Time, bool) {
	now, ok := f.clock()
	loc := z.loc
	if loc == nil {
		loc, ok = f.customerZone(z.def)
		ok = ok && f.nowOK
	}
	if !ok {
		return time.Time{}, false
	}
	return now.In(loc), true
}

// onDays is time.weekday([now_ns, zone]) in {days}.
func onDays(z zone, days []string) check {
	var set [7]bool
	for i, d := range weekdays {
		set[(i+1)%7] = slices.Contains(days, d) // time.Sunday is 0
	}
	return func(f *facts) bool {
		t, ok := z.now(f)
		return ok && set[t.Weekday()]
	}
}

// between is the minute of the day in [from, until), or overnight (from >
// until) at or after from or before until.
func between(z zone, from, until int) check {
	return func(f *facts) bool {
		t, ok := z.now(f)
		if !ok {
			return false
		}
		m := t.Hour()*60 + t.Minute()
		if from < until {
			return m >= from && m < until
		}
		return m >= from || m < until
	}
}

// campaignZone is the campaign's zone (customer_tz's default).
func campaignZone(e env) *time.Location {
	loc, err := loadZone(e.camp.Timezone)
	if err != nil {
		return time.UTC // the campaign's timezone field reports it
	}
	return loc
}

// clockOf is the clock of the block's days and hours.
func clockOf(e env) zone {
	if e.zone == "customer" {
		return zone{def: campaignZone(e)}
	}
	loc, err := loadZone(e.zone)
	if err != nil {
		loc = time.UTC
	}
	return zone{loc: loc}
}

// walletAt reads input.wallet.<key>, which the engine fills for a
// signed-in customer when the bundle has a loyalty program.
func walletAt(f *facts, key string) (any, bool) { return get(f.req.Input["wallet"], key) }

// walletTier is input.wallet.tier in {v, ...}.
func walletTier(vs []value) check {
	return func(f *facts) bool {
		x, ok := walletAt(f, "tier")
		return ok && isOneOf(x, vs)
	}
}

// walletCompare compares input.wallet.<key> (balance, earned) with c; it
// fails when the wallet or the key is absent, as the Rego is undefined.
func walletCompare(key string, c cmp) check {
	return func(f *facts) bool {
		x, ok := walletAt(f, key)
		return ok && c.holds(compareTo(x, c.n))
	}
}
