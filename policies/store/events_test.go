package store

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

func outbox(t *testing.T, s *Store) []policies.Notice {
	t.Helper()
	var out []policies.Notice
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bNotices).ForEach(func(_, v []byte) error {
			var n policies.Notice
			if err := json.Unmarshal(v, &n); err != nil {
				return err
			}
			out = append(out, n)
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFiringWritesItsNotices: a firing's trigger.fired notice is in the
// outbox with the firing's effects, in its transaction: one per endpoint
// a webhook action names (with "endpoint" in its data), one for every
// endpoint without; a skipped firing writes none, and neither does a
// firing whose trigger is no longer scheduled.
func TestFiringWritesItsNotices(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	if err := s.Configure(ctx, []string{"push", "crm"}, 0); err != nil { // without endpoints nothing is kept
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	ev := &policies.Event{ID: "e-1", Type: "location_entered", CustomerID: "u-1", At: at, Doc: map[string]any{"id": "e-1"}}
	sc := &policies.ScheduledTrigger{ID: "e-1/t", Trigger: "t", Event: "e-1", Customer: "u-1", Due: at}
	fire := &policies.Firing{ScheduledTrigger: sc, Actions: []policies.Action{
		{Type: policies.ActionIssueCode, Campaign: "c", Pattern: "????-####"},
		{Type: policies.ActionWebhook, Endpoint: "push"},
		{Type: policies.ActionWebhook, Endpoint: "crm"},
	}}
	r, err := s.RecordEvent(ctx, &policies.EventRecord{Event: ev, Earn: &policies.EarnEvent{ID: "e-1", Customer: "u-1", At: at}, Fire: []*policies.Firing{fire}})
	if err != nil || len(r.Triggers) != 1 || len(r.Triggers[0].Codes) != 1 {
		t.Fatalf("%+v %v", r, err)
	}
	ns := outbox(t, s)
	if len(ns) != 2 {
		t.Fatalf("notices %+v", ns)
	}
	for i, ep := range []string{"push", "crm"} {
		var data struct {
			Endpoint string
			Firing   string
			Actions  []map[string]any
		}
		if err := json.Unmarshal(ns[i].Data, &data); err != nil || ns[i].Type != policies.NoticeTriggerFired || ns[i].ID != "trigger.fired:e-1/t:"+ep ||
			data.Endpoint != ep || data.Firing != "e-1/t" || data.Actions[0]["code"] != r.Triggers[0].Codes[0] {
			t.Fatalf("notice %d: %+v %s %v", i, ns[i], ns[i].Data, err)
		}
	}
	skip := &policies.Firing{ScheduledTrigger: &policies.ScheduledTrigger{ID: "e-2/t", Trigger: "t", Event: "e-2", Customer: "u-1", Due: at}, Skip: policies.SkipRemoved}
	ev2 := &policies.Event{ID: "e-2", Type: "x", CustomerID: "u-1", At: at, Doc: map[string]any{}}
	if _, err := s.RecordEvent(ctx, &policies.EventRecord{Event: ev2, Earn: &policies.EarnEvent{ID: "e-2", Customer: "u-1", At: at}, Fire: []*policies.Firing{skip}}); err != nil {
		t.Fatal(err)
	}
	if st, err := s.FireTrigger(ctx, fire); err != nil || st != nil {
		t.Fatalf("a firing no longer scheduled: %+v %v", st, err)
	}
	if ns := outbox(t, s); len(ns) != 2 {
		t.Fatalf("notices after a skip and a stale firing: %d", len(ns))
	}
}

// TestCancelledBeforeFiringNeverFires: a cancellation committed before
// the scheduler fires wins; the firing read before it is dropped.
func TestCancelledBeforeFiringNeverFires(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	ctx := context.Background()
	if err := s.Configure(ctx, []string{"crm"}, 0); err != nil { // a firing would be reported
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	sc := &policies.ScheduledTrigger{ID: "e-1/t", Trigger: "t", Event: "e-1", Customer: "u-1", Cart: "c-1", Due: at.Add(time.Hour), Unless: []string{"order_placed"}}
	ev := &policies.Event{ID: "e-1", Type: "cart_abandoned", CustomerID: "u-1", At: at, Doc: map[string]any{}}
	if _, err := s.RecordEvent(ctx, &policies.EventRecord{Event: ev, Earn: &policies.EarnEvent{ID: "e-1", Customer: "u-1", At: at}, Schedule: []*policies.ScheduledTrigger{sc}}); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueTriggers(ctx, at.Add(2*time.Hour), 10)
	if err != nil || len(due) != 1 {
		t.Fatalf("due %+v %v", due, err)
	}
	cs, err := s.CancelTriggers(ctx, &policies.TriggerCancel{Event: "o-1", Type: "order_placed", Customer: "u-1", Cart: "c-1", At: at.Add(30 * time.Minute)})
	if err != nil || len(cs) != 1 {
		t.Fatalf("cancel %+v %v", cs, err)
	}
	if st, err := s.FireTrigger(ctx, &policies.Firing{ScheduledTrigger: due[0]}); err != nil || st != nil {
		t.Fatalf("fired after its cancellation: %+v %v", st, err)
	}
	if _, ok, _ := s.NextDue(ctx); ok || len(outbox(t, s)) != 0 {
		t.Fatal("left scheduled, or reported")
	}
}
