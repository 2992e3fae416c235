package policies

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Trigger states, as answers and GET /v1/events/{id} show them.
const (
	TriggerScheduled = "scheduled"
	TriggerFired     = "fired"
	TriggerSkipped   = "skipped"
	TriggerCancelled = "cancelled"
)

// Why a trigger was skipped (with the Reasons of campaigns: disabled,
// not_started, expired, rule, error).
const (
	SkipRemoved          = "trigger_removed"
	SkipCooldown         = "cooldown"
	SkipCampaignRemoved  = "campaign_removed"
	SkipCampaignDisabled = "campaign_disabled"
	SkipCampaignSchedule = "campaign_out_of_schedule"
	SkipNoProgram        = "no_loyalty_program"
)

// TriggerState is where one trigger started by an event stands.
type TriggerState struct {
	Trigger string    `json:"trigger"`
	State   string    `json:"state"`
	At      time.Time `json:"at"`
	// Reason says why it was skipped or cancelled; Details add to it.
	Reason  string   `json:"reason,omitempty"`
	Details []string `json:"details,omitempty"`
	// What its actions produced, once fired.
	Codes     []string `json:"codes,omitempty"`
	Points    int64    `json:"points,omitempty"`
	Endpoints []string `json:"endpoints,omitempty"`
}

// ScheduledTrigger is a trigger started by an event, to fire at Due
// unless an event of a type in Unless cancels it first. It is durable:
// the store keeps it until it fires, is skipped or is cancelled.
type ScheduledTrigger struct {
	// ID names this firing: the event's id and the trigger's, which makes
	// a second start of the same trigger by the same event impossible.
	ID       string    `json:"id"`
	Trigger  string    `json:"trigger"`
	Event    string    `json:"event"`
	Customer string    `json:"customer_id"`
	Cart     string    `json:"cart_id,omitempty"`
	Due      time.Time `json:"due"`
	Unless   []string  `json:"unless,omitempty"`
	// Input is what the trigger's when: block reads (customer, event),
	// decided again when it fires.
	Input map[string]any `json:"input"`
}

// FiringID names the firing of trigger started by event.
func FiringID(event, trigger string) string { return event + "/" + trigger }

// Firing is what one trigger does when it fires, decided against the
// revision active then: its actions, or the reason it is skipped.
type Firing struct {
	*ScheduledTrigger
	Skip     string   // non-empty: skipped for this reason
	Details  []string // of Skip
	Cooldown time.Duration
	Actions  []Action
	Terms    LotTerms // of a points action's lot
}

// TriggerCancel is an event that cancels the customer's scheduled
// triggers whose unless names its type (and whose cart, if any, is its
// cart, if any).
type TriggerCancel struct {
	Event    string    `json:"event"`
	Type     string    `json:"type"`
	Customer string    `json:"customer_id"`
	Cart     string    `json:"cart_id,omitempty"`
	At       time.Time `json:"at"`
}

// Matches reports whether c cancels s.
func (c *TriggerCancel) Matches(s *ScheduledTrigger) bool {
	if c.Customer != s.Customer || (c.Cart != "" && s.Cart != "" && c.Cart != s.Cart) {
		return false
	}
	return slices.Contains(s.Unless, c.Type)
}

// EventRecord is everything one event changes, committed at once.
type EventRecord struct {
	Event    *Event
	Earn     *EarnEvent
	Cancel   *TriggerCancel      // the customer's triggers it cancels
	Fire     []*Firing           // triggers that fire at once
	Schedule []*ScheduledTrigger // triggers that fire later
	Skipped  []TriggerState      // triggers it did not start, and why
}

// EventView is a recorded event: what was sent, the first answer, and
// where its triggers stand now (GET /v1/events/{id}).
type EventView struct {
	Event    map[string]any `json:"event"`
	Points   int64          `json:"points"`
	Triggers []TriggerState `json:"triggers"`
}

// ErrUnknownEvent: no event has that id.
var ErrUnknownEvent = errors.New("unknown event")

// EventStore keeps events and the triggers they start; the bbolt store
// implements it.
type EventStore interface {
	// RecordEvent commits r once per event id: the event, its points,
	// the cancellations, the firings (their actions' effects and their
	// notices) and the scheduled triggers, in one transaction; the same
	// id again returns the first answer and writes nothing.
	RecordEvent(ctx context.Context, r *EventRecord) (*EarnResult, error)
	// CancelTriggers cancels what c cancels (an event another node
	// received) and returns the cancelled triggers' states.
	CancelTriggers(ctx context.Context, c *TriggerCancel) ([]TriggerState, error)
	// NextDue is when the earliest scheduled trigger is due; false when
	// none is scheduled.
	NextDue(ctx context.Context) (time.Time, bool, error)
	// DueTriggers lists up to max triggers due at or before now, earliest
	// first.
	DueTriggers(ctx context.Context, now time.Time, max int) ([]*ScheduledTrigger, error)
	// FireTrigger commits f if its trigger is still scheduled (neither
	// fired nor cancelled since it was read), and returns its state; nil
	// when it no longer was.
	FireTrigger(ctx context.Context, f *Firing) (*TriggerState, error)
	// EventByID reads a recorded event (ErrUnknownEvent if none).
	EventByID(ctx context.Context, id string) (*EventView, error)
}

// TriggerPeers spreads cancellations to the other nodes of a fleet,
// which hold the triggers their own events started.
type TriggerPeers interface {
	BroadcastCancel(c *TriggerCancel)
}
