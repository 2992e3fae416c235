package policies

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/promoedge/promoedge/policies/internal/field"
)

// Trigger is one reaction to customer events (SPEC §13), a bundle's
// data.promo.triggers.<id> (promo/triggers/<id>/data.yaml), validated.
type Trigger struct {
	ID      string
	Name    string
	Enabled bool
	// ValidFrom, ValidUntil and Timezone bound when it starts and fires,
	// as a campaign's schedule does.
	ValidFrom, ValidUntil time.Time
	Timezone              *time.Location
	// Event is the event type that starts it.
	Event string
	// When is its when: block as written, over input.customer and
	// input.event; nil always holds. The bundle loader compiles it.
	When any
	// After is the delay from the event to the firing (0: at once).
	After time.Duration
	// Unless lists the event types that cancel it, for the same customer
	// (and cart, when both have one), before it fires.
	Unless []string
	// Cooldown: it fires at most once per customer in this period.
	Cooldown time.Duration
	Actions  []Action
}

// MaxTriggerDelay bounds after and cooldown: a year.
const MaxTriggerDelay = 366 * 24 * time.Hour

// ErrInvalidTrigger wraps every problem with a trigger document.
var ErrInvalidTrigger = errors.New("invalid trigger")

// TriggerError lists every problem found in one trigger document, at
// paths relative to it ("actions[0].type").
type TriggerError struct {
	Trigger  string
	Problems []*FieldError
}

func (e *TriggerError) Error() string { return joinProblems("trigger "+e.Trigger, e.Problems) }

// Unwrap lets errors.Is match ErrInvalidTrigger.
func (e *TriggerError) Unwrap() error { return ErrInvalidTrigger }

// ParseTrigger validates a trigger document (decoded YAML or JSON),
// reporting every problem at once in a *TriggerError (with the trigger
// as far as it could be read). What it names
// outside itself (campaigns, endpoints, the loyalty program) is checked
// by the bundle loader, which knows them.
func ParseTrigger(id string, doc map[string]any) (*Trigger, error) {
	var errs field.Errors
	o := field.Object("", doc, &errs)
	t := &Trigger{ID: id, Name: o.String("name", id), Enabled: o.Bool("enabled", true), Event: o.String("event", "")}
	o.String("description", "")
	o.Map("metadata")
	sc := &Campaign{Timezone: time.UTC}
	readSchedule(o, sc)
	t.ValidFrom, t.ValidUntil, t.Timezone = sc.ValidFrom, sc.ValidUntil, sc.Timezone
	switch {
	case !o.Has("event"):
		o.Fail("event", "is required: the event type that starts the trigger, such as cart_abandoned")
	case !eventTypeRE.MatchString(t.Event):
		o.Fail("event", "must be a lower-case event type such as cart_abandoned, got %q", t.Event)
	}
	t.When, _ = o.Raw("when")
	t.After = readDelay(o, "after")
	t.Cooldown = readDelay(o, "cooldown")
	t.Unless = readUnless(o)
	t.Actions = readActions(o)
	o.Strict()
	if len(errs) > 0 {
		return t, &TriggerError{Trigger: id, Problems: errs} // t as far as it was read, for the loader's further checks
	}
	return t, nil
}

// Status is where the trigger stands at at: Disabled, NotStarted, Expired
// or "" when it may start or fire.
func (t *Trigger) Status(at time.Time) Reason {
	c := Campaign{Enabled: t.Enabled, ValidFrom: t.ValidFrom, ValidUntil: t.ValidUntil}
	return c.Status(at)
}

var delayRE = regexp.MustCompile(`^([0-9]+)d$`)

// readDelay reads a duration: Go's form ("48h", "90m") or whole days
// ("2d"); 0 or absent is none.
func readDelay(o *field.Obj, key string) time.Duration {
	raw, ok := o.Raw(key)
	if !ok || raw == nil {
		return 0
	}
	s := strings.TrimSpace(fmt.Sprint(raw))
	var d time.Duration
	var err error
	if m := delayRE.FindStringSubmatch(s); m != nil {
		var n int64
		n, err = strconv.ParseInt(m[1], 10, 64)
		d = time.Duration(min(n, 1<<20)) * 24 * time.Hour
	} else {
		d, err = time.ParseDuration(s) // "0" is 0
	}
	switch {
	case err != nil:
		o.Fail(key, "must be a duration such as 48h, 90m or 2d, got %q", s)
	case d < 0 || d > MaxTriggerDelay:
		o.Fail(key, "must be from 0 to %s, got %s", MaxTriggerDelay, s)
	default:
		return d
	}
	return 0
}

func readUnless(o *field.Obj) []string {
	raw, ok := o.Raw("unless")
	if !ok || raw == nil {
		return nil
	}
	var types []string
	if s, isStr := raw.(string); isStr {
		types = []string{s}
	} else {
		types = o.Strings("unless")
	}
	for i, typ := range types {
		if !eventTypeRE.MatchString(typ) {
			o.Fail(field.Index("unless", i), "must be a lower-case event type such as order_placed, got %q", typ)
		}
	}
	sort.Strings(types)
	return types
}
