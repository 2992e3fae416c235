package policies

import (
	"context"
	"regexp"
	"strings"
	"time"
	"unicode"

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
	o.Map("attributes") // an object when given
	o.Object("customer")
	o.String("cart_id", "")
	switch {
	case ev.ID == "" || len(ev.ID) > 256:
		o.Fail("id", "is required, at most 256 bytes: the event's idempotency key")
	case strings.IndexFunc(ev.ID, unicode.IsControl) >= 0:
		o.Fail("id", "must not contain control characters")
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

// RecordEvent records ev once per event id (SPEC §13): it credits the
// program's earning points for ev's type, capped per customer per
// calendar day in the program's zone, cancels the customer's scheduled
// triggers whose unless names its type, and starts the active bundle's
// triggers for its type, firing at once those without a delay. The same
// id again answers the first answer.
func (e *Engine) RecordEvent(ctx context.Context, ev *Event) (*EarnResult, error) {
	p := e.program()
	local := ev.At.In(p.Timezone)
	y, m, d := local.Date()
	earn := &EarnEvent{
		ID: ev.ID, Type: ev.Type, Customer: ev.CustomerID, At: ev.At,
		Day: int64(y)*10000 + int64(m)*100 + int64(d), Earning: p.Earning[ev.Type], Terms: p.Terms(ev.At, false),
		Program: p,
	}
	if e.events == nil {
		if e.wallets == nil {
			return nil, ErrNoStore
		}
		return e.wallets.Earn(ctx, earn)
	}
	rec := &EventRecord{Event: ev, Earn: earn, Cancel: &TriggerCancel{Event: ev.ID, Type: ev.Type, Customer: ev.CustomerID, Cart: ev.CartID(), At: ev.At}}
	rev := e.rev.Load()
	if rev != nil {
		e.startTriggers(ctx, rev, ev, rec)
	}
	res, err := e.events.RecordEvent(ctx, rec)
	if err != nil || res.Replayed {
		return res, err
	}
	if len(rec.Schedule) > 0 {
		e.WakeTriggers()
	}
	if e.peers != nil && rev != nil && rev.Triggers.Cancelling(ev.Type) {
		e.peers.BroadcastCancel(rec.Cancel)
	}
	return res, nil
}

// CartID is the event's cart_id, "" without one.
func (ev *Event) CartID() string {
	s, _ := ev.Doc["cart_id"].(string)
	return s
}

// CancelTriggers cancels what an event another node received cancels
// here (a fleet's broadcast).
func (e *Engine) CancelTriggers(ctx context.Context, c *TriggerCancel) ([]TriggerState, error) {
	if e.events == nil {
		return nil, nil
	}
	return e.events.CancelTriggers(ctx, c)
}

// EventByID reads a recorded event and where its triggers stand.
func (e *Engine) EventByID(ctx context.Context, id string) (*EventView, error) {
	if e.events == nil {
		return nil, ErrNoStore
	}
	return e.events.EventByID(ctx, id)
}
