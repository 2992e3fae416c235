package when

import "time"

// risk is a set of the request's fields whose values make the generated
// Rego's evaluation fail (OPA's builtins refuse them; the rule evaluator
// answers such a campaign with an error). Every rule of a module is part
// of its document, so a module fails whenever a helper it defines fails,
// whichever conditions the request meets.
type risk uint8

const (
	riskNow       risk = 1 << iota // context.now out of OPA's time range
	riskLastOrder                  // customer.last_order_at not an RFC 3339 time in range
	riskSignUp                     // customer.created_at, likewise
	riskZone                       // customer.timezone not a zone name
	riskBirthday                   // customer.birthday not a date, or its dates out of range
)

// helperRisks are the risks of the helpers a module defines.
var helperRisks = map[string]risk{
	"now_ns":                riskNow,
	"days_since_last_order": riskLastOrder,
	"days_since_sign_up":    riskSignUp,
	"customer_tz":           riskZone,
	"birthday_distance":     riskBirthday,
}

// risksOf are the risks of the helpers the leaves use, and of what those
// use, as the generator includes them.
func risksOf(leaves []*node) risk {
	g := &generator{uses: map[string]bool{}}
	for _, n := range leaves {
		g.use(n.uses...)
	}
	var r risk
	for name := range g.uses {
		r |= helperRisks[name]
	}
	return r
}

// failed is the first of the risks r that fails on f's request, or 0;
// def is the campaign's zone, the customer's when they name none.
func (f *facts) failed(r risk, def *time.Location) risk {
	if r == 0 {
		return 0
	}
	for bit := riskNow; bit <= riskBirthday; bit <<= 1 {
		if r&bit == 0 {
			continue
		}
		if bit&zoneless == 0 {
			if !f.safe(bit, def) {
				return bit
			}
			continue
		}
		if f.checked&bit == 0 {
			f.checked |= bit
			if !f.safe(bit, def) {
				f.risks |= bit
			}
		}
		if f.risks&bit != 0 {
			return bit
		}
	}
	return 0
}

// zoneless are the risks whose test does not depend on the campaign's
// zone: a request tests each once.
const zoneless = riskNow | riskLastOrder | riskSignUp

// safe reports whether the one risk r does not fail.
func (f *facts) safe(r risk, def *time.Location) bool {
	var ok bool
	switch r {
	case riskNow:
		_, ok = f.clock()
	case riskLastOrder:
		_, _, ok = f.since("last_order_at")
	case riskSignUp:
		_, _, ok = f.since("created_at")
	case riskZone:
		_, ok = f.customerZone(def)
	default:
		_, _, ok = f.birthdayDistance(def)
	}
	return ok
}

// riskText names what failed, for the campaign's error.
var riskText = map[risk]string{
	riskNow:       "context.now is out of the range of OPA's times (years 1678 to 2262)",
	riskLastOrder: "customer.last_order_at is not an RFC 3339 time in the range of OPA's times",
	riskSignUp:    "customer.created_at is not an RFC 3339 time in the range of OPA's times",
	riskZone:      "customer.timezone is not a time zone name",
	riskBirthday:  "customer.birthday is not a date YYYY-MM-DD in the range of OPA's times",
}
