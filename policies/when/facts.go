package when

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// facts is one request as the native checks read it: the input document
// the generated Rego reads, and what the Rego's helpers derive from it,
// each worked out at most once per request. Nothing outlives the request.
type facts struct {
	req      *policies.Request
	customer any // input.customer; nil when absent
	context  any // input.context
	lines    []line
	subtotal int64
	units    int64

	now     time.Time
	nowOK   bool // input.context.now parses and is in OPA's range
	nowDone bool
	ages    [2]age // since's answers: last_order_at, created_at

	sums []lineSums // the lines' sums of each filter, by filter id
	done []bool

	results []uint8 // each distinct leaf's result: 0 not yet, 1 false, 2 true
	risks   risk    // risks known to fail (of those in checked)
	checked risk    // risks tested, of those that do not depend on a zone

	set  []string // the reasons of the campaign being decided (scratch)
	slab []string // where the answer's reason lists are cut from
}

// line is one cart line: the fields item conditions read.
type line struct {
	qty, price int64
	ok         bool // quantity and unit_price are integers (always, once validated)
	item       map[string]any
	sku        any // it.sku, when hasSKU
	cats       any // it.categories, when hasCats
	attrs      any // it.attributes (nil when absent)
	hasSKU     bool
	hasCats    bool
}

// lineSums are the quantity and the amount of a filter's lines.
type lineSums struct{ qty, amount int64 }

// reset makes f the facts of req, reusing the slices of the request f
// served before (Evaluator.Decide pools them); what the answer keeps,
// the reasons' slab, is never reused.
func (f *facts) reset(req *policies.Request, filters, leaves int) {
	in := req.Input
	*f = facts{req: req, customer: in["customer"], context: in["context"],
		results: resize(f.results, leaves), lines: f.lines[:0], sums: f.sums, done: f.done, set: f.set[:0]}
	cart, _ := in["cart"].(map[string]any)
	items, _ := cart["items"].([]any)
	for _, x := range items {
		m, isMap := x.(map[string]any)
		if !isMap {
			continue
		}
		q, okQ := intOf(m["quantity"])
		p, okP := intOf(m["unit_price"])
		l := line{qty: q, price: p, ok: okQ && okP, item: m, attrs: m["attributes"]}
		l.sku, l.hasSKU = m["sku"]
		l.cats, l.hasCats = m["categories"]
		f.lines = append(f.lines, l)
		if okQ {
			f.units += q
		}
		if l.ok {
			f.subtotal += q * p
		}
	}
	f.sums, f.done = resize(f.sums, filters), resize(f.done, filters)
}

// clear drops what f points to of its request, for the pool.
func (f *facts) clear() {
	clear(f.lines[:cap(f.lines)])
	*f = facts{results: f.results, lines: f.lines[:0], sums: f.sums, done: f.done, set: f.set[:0]}
}

// resize returns buf with n zero entries, reusing its array.
func resize[T any](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	buf = buf[:n]
	clear(buf)
	return buf
}

func intOf(x any) (int64, bool) {
	n, ok := x.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := strconv.ParseInt(string(n), 10, 64)
	return i, err == nil
}

// OPA turns times into nanoseconds since 1970 and refuses those outside
// an int64.
var (
	minNS = time.Unix(0, math.MinInt64)
	maxNS = time.Unix(0, math.MaxInt64)
)

func inRange(t time.Time) bool { return !t.Before(minNS) && !t.After(maxNS) }

// clock is input.context.now (now_ns); false when it does not parse or is
// out of range, which fails the Rego's evaluation.
func (f *facts) clock() (time.Time, bool) {
	if !f.nowDone {
		f.nowDone = true
		s, _ := get(f.context, "now")
		if str, isStr := s.(string); isStr {
			t, err := time.Parse(time.RFC3339, str)
			f.now, f.nowOK = t, err == nil && inRange(t)
		}
	}
	return f.now, f.nowOK
}

const dayNS = 24 * int64(time.Hour)

// age is since's answer for one key, worked out once a request.
type age struct {
	days              int64
	defined, ok, done bool
}

// since is the whole days from input.customer.<key> to now: defined is
// false when the customer has no such field; ok is false when the field
// does not parse (the Rego's evaluation fails). The two keys conditions
// read are worked out once a request.
func (f *facts) since(key string) (days int64, defined, ok bool) {
	slot := -1
	switch key {
	case "last_order_at":
		slot = 0
	case "created_at":
		slot = 1
	}
	if slot < 0 {
		return f.sinceNow(key)
	}
	a := &f.ages[slot]
	if !a.done {
		a.days, a.defined, a.ok = f.sinceNow(key)
		a.done = true
	}
	return a.days, a.defined, a.ok
}

// sinceNow is since, worked out.
func (f *facts) sinceNow(key string) (days int64, defined, ok bool) {
	x, defined := get(f.customer, key)
	if !defined {
		return 0, false, true
	}
	s, isStr := x.(string)
	if !isStr {
		return 0, true, false
	}
	t, err := time.Parse(time.RFC3339, s)
	now, nowOK := f.clock()
	if err != nil || !inRange(t) || !nowOK {
		return 0, true, false
	}
	return floorDays(now.UnixNano(), t.UnixNano()), true, true
}

// floorDays is floor((a-b)/dayNS) without overflowing.
func floorDays(a, b int64) int64 {
	qa, ra := floorDiv(a, dayNS)
	qb, rb := floorDiv(b, dayNS)
	d := qa - qb
	if ra < rb {
		d--
	}
	return d
}

func floorDiv(a, b int64) (int64, int64) {
	q, r := a/b, a%b
	if r < 0 {
		q, r = q-1, r+b
	}
	return q, r
}

// customerZone is customer_tz: the customer's time zone, or def when the
// customer has none; false when the field is not a zone name.
func (f *facts) customerZone(def *time.Location) (*time.Location, bool) {
	x, ok := get(f.customer, "timezone")
	if !ok {
		return def, true
	}
	name, isStr := x.(string)
	if !isStr {
		return nil, false
	}
	if tz := f.req.Customer.Timezone; tz != nil && tz.String() == name {
		return tz, true
	}
	loc, err := loadZone(name)
	return loc, err == nil
}

// loadZone loads a zone as OPA's time builtins do: "" is UTC.
func loadZone(name string) (*time.Location, error) {
	switch name {
	case "", "UTC":
		return time.UTC, nil
	case "Local":
		return time.Local, nil
	}
	return time.LoadLocation(name)
}

// test is the result of leaf n's test on the request, worked out once
// for every leaf alike.
func (f *facts) test(n *node) bool {
	if r := f.results[n.id]; r != 0 {
		return r == 2
	}
	ok := n.test(f)
	f.results[n.id] = 1
	if ok {
		f.results[n.id] = 2
	}
	return ok
}
