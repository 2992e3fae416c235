package policies

import (
	"context"
	"maps"
	"time"
)

// startTriggers adds to rec the triggers ev starts in rev: those that
// fire at once (decided now), those scheduled, and those it does not
// start (disabled, out of schedule, when: not holding).
func (e *Engine) startTriggers(ctx context.Context, rev *Revision, ev *Event, rec *EventRecord) {
	ts := rev.Triggers.For(ev.Type)
	if len(ts) == 0 {
		return
	}
	input := triggerInput(ev)
	for _, t := range ts {
		st := &ScheduledTrigger{ID: FiringID(ev.ID, t.ID), Trigger: t.ID, Event: ev.ID, Customer: ev.CustomerID,
			Cart: ev.CartID(), Due: ev.At.Add(t.After), Unless: t.Unless, Input: input}
		if reason, details := e.startable(ctx, rev, t, st, ev.At); reason != "" {
			rec.Skipped = append(rec.Skipped, TriggerState{Trigger: t.ID, State: TriggerSkipped, At: ev.At, Reason: reason, Details: details})
			continue
		}
		if t.After == 0 {
			rec.Fire = append(rec.Fire, e.decideFiring(ctx, rev, st, false))
			continue
		}
		rec.Schedule = append(rec.Schedule, st)
	}
}

// startable is why t does not start at at ("" when it does).
func (e *Engine) startable(ctx context.Context, rev *Revision, t *Trigger, st *ScheduledTrigger, at time.Time) (string, []string) {
	if r := t.Status(at); r != "" {
		return string(r), nil
	}
	ok, reasons, err := rev.Triggers.holds(ctx, t, withNow(st.Input, at), st.Customer, at)
	switch {
	case err != nil:
		return string(RuleError), []string{err.Error()}
	case !ok:
		return string(RuleFailed), reasons
	}
	return "", nil
}

// decideFiring decides st against rev as it fires at st.Due: skipped
// when its trigger was removed, is disabled or out of schedule, its
// when: no longer holds (redecide), or a campaign it issues a code of
// cannot be used; else its actions.
func (e *Engine) decideFiring(ctx context.Context, rev *Revision, st *ScheduledTrigger, redecide bool) *Firing {
	f := &Firing{ScheduledTrigger: st}
	var t *Trigger
	if rev != nil {
		t = rev.Triggers.Get(st.Trigger)
	}
	if t == nil {
		f.Skip = SkipRemoved
		return f
	}
	if redecide {
		if f.Skip, f.Details = e.startable(ctx, rev, t, st, st.Due); f.Skip != "" {
			return f
		}
	}
	for _, a := range t.Actions {
		switch a.Type {
		case ActionIssueCode:
			c, err := rev.Campaign(a.Campaign)
			switch {
			case err != nil:
				f.Skip = SkipCampaignRemoved
			case !c.Enabled || e.Disabled(c.ID):
				f.Skip = SkipCampaignDisabled
			case c.schedule(st.Due) != "":
				f.Skip = SkipCampaignSchedule
			}
			if f.Skip != "" {
				f.Details = []string{a.Campaign}
				return f
			}
		case ActionPoints:
			if rev.Loyalty == nil {
				f.Skip = SkipNoProgram
				return f
			}
			f.Terms = rev.Loyalty.Terms(st.Due, false)
		}
	}
	f.Actions, f.Cooldown = t.Actions, t.Cooldown
	return f
}

// triggerInput is what a trigger's when: block reads of ev: the customer
// (the event's customer object, with its id) and the event.
func triggerInput(ev *Event) map[string]any {
	customer := map[string]any{}
	if c, ok := ev.Doc["customer"].(map[string]any); ok {
		maps.Copy(customer, c)
	}
	customer["id"] = ev.CustomerID
	event := map[string]any{"id": ev.ID, "type": ev.Type, "at": ev.At.Format(time.RFC3339Nano)}
	for _, k := range []string{"cart_id", "attributes"} {
		if v, ok := ev.Doc[k]; ok {
			event[k] = v
		}
	}
	return map[string]any{"customer": customer, "event": event, "cart": map[string]any{"id": ev.CartID()}}
}

// withNow is input with context.now at at: days and hours conditions
// read the time the trigger starts or fires.
func withNow(input map[string]any, at time.Time) map[string]any {
	out := maps.Clone(input)
	out["context"] = map[string]any{"now": at.UTC().Format(time.RFC3339)}
	return out
}
