package policies

import (
	"context"
	"time"
)

// The trigger scheduler fires scheduled triggers when they are due. It
// keeps nothing in memory but one timer: the store orders scheduled
// triggers by due time, the timer waits for the earliest, and a new
// trigger due sooner wakes it (WakeTriggers). A waiting trigger costs a
// key in the store, not a goroutine or a poll.

// schedulerMaxWait bounds one wait of the timer, so that a wall clock
// set forward (or an engine clock that is not the wall's) is caught up
// with within it; each wake reads one key.
const schedulerMaxWait = time.Minute

// fireBatch is how many due triggers one look at the store fires.
const fireBatch = 256

// RunTriggers fires the scheduled triggers as they fall due until ctx
// ends; onErr hears of a firing that failed (it is tried again a second
// later). Without an EventStore it returns at once.
func (e *Engine) RunTriggers(ctx context.Context, onErr func(error)) {
	if e.events == nil {
		return
	}
	timer := time.NewTimer(schedulerMaxWait) // Reset drops a stale tick (Go 1.23 timers)
	defer timer.Stop()
	for {
		wait := schedulerMaxWait
		if _, err := e.FireDue(ctx); err != nil {
			if onErr != nil {
				onErr(err)
			}
			wait = time.Second
		} else if next, ok, err := e.events.NextDue(ctx); err == nil && ok {
			wait = min(wait, max(next.Sub(e.now()), 0))
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return
		case <-e.wake:
		case <-timer.C:
		}
	}
}

// WakeTriggers makes the scheduler look at the store again: a trigger
// was scheduled (it may be due sooner than the one it waits for), or the
// engine's clock moved.
func (e *Engine) WakeTriggers() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// FireDue fires every trigger due by the engine's clock, each decided
// against the revision active now, and returns their states.
func (e *Engine) FireDue(ctx context.Context) ([]TriggerState, error) {
	var out []TriggerState
	for {
		due, err := e.events.DueTriggers(ctx, e.now(), fireBatch)
		if err != nil || len(due) == 0 {
			return out, err
		}
		rev := e.rev.Load()
		for _, st := range due {
			s, err := e.events.FireTrigger(ctx, e.decideFiring(ctx, rev, st, true))
			if err != nil {
				return out, err
			}
			if s != nil {
				out = append(out, *s)
			}
		}
		if len(due) < fireBatch {
			return out, nil
		}
	}
}
