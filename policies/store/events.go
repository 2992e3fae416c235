package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

var _ policies.EventStore = (*Store)(nil)

// The buckets of events and their triggers (SPEC §13). A scheduled
// trigger is one key in bTrigDue, ordered by when it is due, and one in
// bTrigPending, by customer, for the events that cancel it: the
// scheduler reads the first key of bTrigDue, never the whole bucket.
var (
	bEvents      = []byte("events")           // event id -> the event as sent (JSON)
	bTrigDue     = []byte("trigger_due")      // due (8, unix ns) | event \x00 trigger -> ScheduledTrigger JSON
	bTrigPending = []byte("trigger_pending")  // wprefix(customer) | event \x00 trigger -> pendingValue
	bTrigLog     = []byte("trigger_log")      // event \x00 trigger -> TriggerState JSON, as it stands
	bTrigCool    = []byte("trigger_cooldown") // trigger \x00 customer -> when it last fired (8, unix ns)
	eventBuckets = [][]byte{bEvents, bTrigDue, bTrigPending, bTrigLog, bTrigCool}
)

// eventKey is where an event's idempotency record is (bWKeys, putKeyed).
func eventKey(id string) []byte { return []byte("event\x00" + id) }

func firingKey(event, trigger string) []byte { return []byte(event + "\x00" + trigger) }

// dueKey orders scheduled triggers by due time; one due before 1970 is
// due at once (it sorts first).
func dueKey(due time.Time, fk []byte) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(max(due.UnixNano(), 0))), fk...)
}

// RecordEvent implements policies.EventStore. Concurrent events share
// transactions (eventcommit.go), as redemptions share commits.
func (s *Store) RecordEvent(_ context.Context, r *policies.EventRecord) (*policies.EarnResult, error) {
	var out *policies.EarnResult
	var replayed bool
	err := s.updateEvent(func(tx *bolt.Tx) error {
		out, replayed = nil, false
		k := eventKey(r.Event.ID)
		body := []byte(r.Event.CustomerID + "\x00" + r.Event.Type)
		if prev := tx.Bucket(bWKeys).Get(k); prev != nil {
			replayed = true
			return replayKeyed(prev, body, &out)
		}
		err := s.reportTier(tx, r.Earn.Program, r.Event.CustomerID, r.Event.At, "event:"+r.Event.ID, func() (err error) {
			if out, err = earn(tx, r.Earn); err != nil {
				return err
			}
			out.Triggers, err = recordTriggers(tx, r)
			return err
		})
		if err != nil {
			return err
		}
		tx.OnCommit(s.notify) // a trigger fired at once queued its notices (firing.go)
		raw, err := json.Marshal(r.Event.Doc)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bEvents).Put([]byte(r.Event.ID), raw); err != nil {
			return err
		}
		return putKeyed(tx, k, body, out)
	})
	if err != nil {
		return nil, fmt.Errorf("event %s: %w", r.Event.ID, err)
	}
	out.Replayed = replayed
	return out, nil
}

// recordTriggers cancels, fires and schedules what r says, and returns
// the states of the triggers concerned: cancelled, then started.
func recordTriggers(tx *bolt.Tx, r *policies.EventRecord) ([]policies.TriggerState, error) {
	states := []policies.TriggerState{}
	if r.Cancel != nil {
		cs, err := cancelTriggers(tx, r.Cancel)
		if err != nil {
			return nil, err
		}
		states = append(states, cs...)
	}
	for _, f := range r.Fire {
		st, err := fire(tx, f)
		if err != nil {
			return nil, err
		}
		states = append(states, *st)
	}
	for _, sc := range r.Schedule {
		st, err := schedule(tx, sc)
		if err != nil {
			return nil, err
		}
		states = append(states, *st)
	}
	for i := range r.Skipped {
		if err := putState(tx, firingKey(r.Event.ID, r.Skipped[i].Trigger), &r.Skipped[i]); err != nil {
			return nil, err
		}
		states = append(states, r.Skipped[i])
	}
	return states, nil
}

func schedule(tx *bolt.Tx, sc *policies.ScheduledTrigger) (*policies.TriggerState, error) {
	fk := firingKey(sc.Event, sc.Trigger)
	raw, err := json.Marshal(sc)
	if err != nil {
		return nil, err
	}
	if err := tx.Bucket(bTrigDue).Put(dueKey(sc.Due, fk), raw); err != nil {
		return nil, err
	}
	pk := append(wprefix(sc.Customer), fk...)
	if err := tx.Bucket(bTrigPending).Put(pk, pendingValue(sc)); err != nil {
		return nil, err
	}
	st := &policies.TriggerState{Trigger: sc.Trigger, State: policies.TriggerScheduled, At: sc.Due}
	return st, putState(tx, fk, st)
}

// pendingValue is what a cancellation matches a scheduled trigger on,
// without reading it: due (8) | cart \x00 | unless types, \x00 after each.
func pendingValue(sc *policies.ScheduledTrigger) []byte {
	v := binary.BigEndian.AppendUint64(nil, uint64(max(sc.Due.UnixNano(), 0)))
	v = append(append(v, sc.Cart...), 0)
	for _, u := range sc.Unless {
		v = append(append(v, u...), 0)
	}
	return v
}

// pendingMatches reports whether c cancels the scheduled trigger whose
// pending value is v (policies.TriggerCancel.Matches, on the index).
func pendingMatches(v []byte, c *policies.TriggerCancel) bool {
	cart, unless, ok := bytes.Cut(v[8:], []byte{0})
	if !ok || (c.Cart != "" && len(cart) > 0 && string(cart) != c.Cart) {
		return false
	}
	for len(unless) > 0 {
		var typ []byte
		typ, unless, _ = bytes.Cut(unless, []byte{0})
		if string(typ) == c.Type {
			return true
		}
	}
	return false
}

// unschedule removes sc's keys, once it fires, is skipped or cancelled.
func unschedule(tx *bolt.Tx, sc *policies.ScheduledTrigger) error {
	fk := firingKey(sc.Event, sc.Trigger)
	if err := tx.Bucket(bTrigDue).Delete(dueKey(sc.Due, fk)); err != nil {
		return err
	}
	return tx.Bucket(bTrigPending).Delete(append(wprefix(sc.Customer), fk...))
}

func putState(tx *bolt.Tx, fk []byte, st *policies.TriggerState) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return tx.Bucket(bTrigLog).Put(fk, raw)
}

// cancelTriggers cancels the customer's scheduled triggers that c
// cancels.
func cancelTriggers(tx *bolt.Tx, c *policies.TriggerCancel) ([]policies.TriggerState, error) {
	prefix := wprefix(c.Customer)
	var matched []*policies.ScheduledTrigger
	cur := tx.Bucket(bTrigPending).Cursor()
	for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
		if len(v) < 9 {
			return nil, fmt.Errorf("%w: pending trigger %q", errCorrupt, k)
		}
		if !pendingMatches(v, c) {
			continue
		}
		sc, err := readScheduled(tx, append(bytes.Clone(v[:8]), k[len(prefix):]...))
		if err != nil {
			return nil, err
		}
		if c.Matches(sc) {
			matched = append(matched, sc)
		}
	}
	out := make([]policies.TriggerState, 0, len(matched))
	for _, sc := range matched {
		if err := unschedule(tx, sc); err != nil {
			return nil, err
		}
		st := policies.TriggerState{Trigger: sc.Trigger, State: policies.TriggerCancelled, At: c.At,
			Reason: "unless", Details: []string{c.Type + " event " + c.Event}}
		if err := putState(tx, firingKey(sc.Event, sc.Trigger), &st); err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

func readScheduled(tx *bolt.Tx, dk []byte) (*policies.ScheduledTrigger, error) {
	raw := tx.Bucket(bTrigDue).Get(dk)
	if raw == nil {
		return nil, fmt.Errorf("%w: scheduled trigger %q has no due entry", errCorrupt, dk)
	}
	return decodeScheduled(raw)
}

func decodeScheduled(raw []byte) (*policies.ScheduledTrigger, error) {
	var sc policies.ScheduledTrigger
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // when: conditions compare numbers as requests have them
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("%w: scheduled trigger: %v", errCorrupt, err)
	}
	return &sc, nil
}

// CancelTriggers implements policies.EventStore.
func (s *Store) CancelTriggers(_ context.Context, c *policies.TriggerCancel) ([]policies.TriggerState, error) {
	var out []policies.TriggerState
	err := s.updateEvent(func(tx *bolt.Tx) error {
		var err error
		out, err = cancelTriggers(tx, c)
		return err
	})
	return out, err
}

// NextDue implements policies.EventStore.
func (s *Store) NextDue(context.Context) (time.Time, bool, error) {
	var due time.Time
	var ok bool
	err := s.db.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bTrigDue).Cursor().First()
		if len(k) >= 8 {
			due, ok = time.Unix(0, int64(binary.BigEndian.Uint64(k))).UTC(), true
		}
		return nil
	})
	return due, ok, err
}

// DueTriggers implements policies.EventStore.
func (s *Store) DueTriggers(_ context.Context, now time.Time, max int) ([]*policies.ScheduledTrigger, error) {
	var out []*policies.ScheduledTrigger
	limit := uint64(now.UnixNano())
	err := s.db.View(func(tx *bolt.Tx) error {
		cur := tx.Bucket(bTrigDue).Cursor()
		for k, v := cur.First(); k != nil && len(out) < max; k, v = cur.Next() {
			if len(k) < 8 || binary.BigEndian.Uint64(k) > limit {
				break
			}
			sc, err := decodeScheduled(v)
			if err != nil {
				return err
			}
			if !bytes.Equal(dueKey(sc.Due, firingKey(sc.Event, sc.Trigger)), k) {
				return fmt.Errorf("%w: scheduled trigger %q is not under its due time", errCorrupt, k)
			}
			out = append(out, sc)
		}
		return nil
	})
	return out, err
}

// FireTrigger implements policies.EventStore: f is committed only if its
// trigger is still scheduled, so that a firing is never done twice (two
// schedulers, a restart between reading and firing) and a cancellation
// committed first wins.
func (s *Store) FireTrigger(_ context.Context, f *policies.Firing) (*policies.TriggerState, error) {
	var out *policies.TriggerState
	err := s.db.Update(func(tx *bolt.Tx) error {
		out = nil
		if tx.Bucket(bTrigDue).Get(dueKey(f.Due, firingKey(f.Event, f.Trigger))) == nil {
			return nil
		}
		if err := unschedule(tx, f.ScheduledTrigger); err != nil {
			return err
		}
		var err error
		out, err = fire(tx, f)
		tx.OnCommit(s.notify) // its trigger.fired notices: delivered now, not at the worker's next poll
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("firing %s: %w", f.ID, err)
	}
	return out, nil
}

// EventByID implements policies.EventStore.
func (s *Store) EventByID(_ context.Context, id string) (*policies.EventView, error) {
	var out *policies.EventView
	err := s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bEvents).Get([]byte(id))
		if raw == nil {
			return fmt.Errorf("%w: %q", policies.ErrUnknownEvent, id)
		}
		v := &policies.EventView{Triggers: []policies.TriggerState{}}
		if err := json.Unmarshal(raw, &v.Event); err != nil {
			return fmt.Errorf("%w: event %s: %v", errCorrupt, id, err)
		}
		var first policies.EarnResult
		if _, answer, ok := splitKeyed(tx.Bucket(bWKeys).Get(eventKey(id))); ok {
			_ = json.Unmarshal(answer, &first)
		}
		v.Points = first.Points
		prefix := []byte(id + "\x00")
		cur := tx.Bucket(bTrigLog).Cursor()
		for k, raw := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, raw = cur.Next() {
			var st policies.TriggerState
			if err := json.Unmarshal(raw, &st); err != nil {
				return fmt.Errorf("%w: trigger state %q: %v", errCorrupt, k, err)
			}
			v.Triggers = append(v.Triggers, st)
		}
		out = v
		return nil
	})
	return out, err
}
