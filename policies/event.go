package policies

import (
	"context"
	"regexp"
	"time"

	"github.com/promoedge/promoedge/policies/internal/field"
)

// Event is a customer event (POST /v1/events, SPEC §13).
type Event struct {
	ID         string
	Type       string
	CustomerID string
	At         time.Time
	// Doc is the whole event as sent (cart_id, attributes, customer ...),
	// kept for the triggers that will read it.
	Doc map[string]any
}

var eventTypeRE = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,63}$`)

// DecodeEvent validates an event body; at defaults to now.
func DecodeEvent(body []byte, now time.Time) (*Event, error) {
	doc, err := decodeDocument(body)
	if err != nil {
		return nil, err
	}
	var errs field.Errors
	o := field.Object("", doc, &errs)
	ev := &Event{Doc: doc, ID: o.String("id", ""), Type: o.String("type", ""), CustomerID: o.String("customer_id", ""), At: now.UTC()}
	if c := o.Object("customer"); c != nil && ev.CustomerID == "" {
		ev.CustomerID = c.String("id", "")
	}
	if s := o.String("at", ""); s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			o.Fail("at", "must be an RFC 3339 time, got %q", s)
		}
		ev.At = t.UTC()
	}
	switch {
	case ev.ID == "" || len(ev.ID) > 256:
		o.Fail("id", "is required, at most 256 bytes: the event's idempotency key")
	case !eventTypeRE.MatchString(ev.Type):
		o.Fail("type", "must be a lower-case name such as review_written, got %q", ev.Type)
	}
	if len(errs) > 0 {
		return nil, &RequestError{Problems: errs}
	}
	if err := CheckCustomer("customer_id", ev.CustomerID); err != nil {
		return nil, err
	}
	return ev, nil
}

// RecordEvent credits the program's earning points for ev's type, capped
// per customer per calendar day in the program's zone, once per event id.
func (e *Engine) RecordEvent(ctx context.Context, ev *Event) (*EarnResult, error) {
	if e.wallets == nil {
		return nil, ErrNoStore
	}
	p := e.program()
	local := ev.At.In(p.Timezone)
	y, m, d := local.Date()
	return e.wallets.Earn(ctx, &EarnEvent{
		ID: ev.ID, Type: ev.Type, Customer: ev.CustomerID, At: ev.At,
		Day: int64(y)*10000 + int64(m)*100 + int64(d), Earning: p.Earning[ev.Type], Terms: p.Terms(ev.At, false),
		Program: p,
	})
}
