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

// pendingOf is every notice queued for endpoint, oldest first.
func pendingOf(t *testing.T, s *Store, endpoint string) []policies.Delivery {
	t.Helper()
	ds, err := s.Pending(context.Background(), endpoint, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func typesOf(ds []policies.Delivery) []string {
	var out []string
	for _, d := range ds {
		out = append(out, string(d.Notice.Type)+" "+d.Notice.ID)
	}
	return out
}

// TestNoticesInTheCommit: with an endpoint configured, a redemption
// queues redemption.created (and campaign.limit_exhausted when it used
// the last of a limit or budget), a rollback redemption.rolled_back, each
// once however often replayed or repeated; a refused commit queues
// nothing; with no endpoint nothing is kept.
func TestNoticesInTheCommit(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	if _, _, _, err := s.Commit(ctx, redemption("r0", "k0", "u")); err != nil {
		t.Fatal(err)
	}
	if err := s.Configure(ctx, []string{"crm", "bi"}, 0); err != nil {
		t.Fatal(err)
	}
	two := policies.RedeemedCampaign{Campaign: "two", Amount: 10, Limits: policies.Limits{Redemptions: 2}}
	budget := policies.RedeemedCampaign{Campaign: "budget", Amount: 25, Limits: policies.Limits{Budget: 50}}
	for _, r := range []*policies.Redemption{redemption("r1", "k1", "u", two, budget), redemption("r2", "k2", "u", two, budget),
		redemption("r3", "k3", "u", two), redemption("r1b", "k1", "u", two, budget)} {
		if _, _, _, err := s.Commit(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := s.Rollback(ctx, "r1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"redemption.created redemption.created:r1",
		"redemption.created redemption.created:r2",
		"campaign.limit_exhausted campaign.limit_exhausted:two:redemptions:r2",
		"campaign.limit_exhausted campaign.limit_exhausted:budget:budget:r2",
		"redemption.rolled_back redemption.rolled_back:r1",
	}
	for _, ep := range []string{"crm", "bi"} {
		got := typesOf(pendingOf(t, s, ep))
		if len(got) != len(want) {
			t.Fatalf("%s: queued %q, want %q", ep, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s: notice %d is %q, want %q", ep, i, got[i], want[i])
			}
		}
	}
	ds := pendingOf(t, s, "crm")
	var data struct {
		ID        string `json:"redemption_id"`
		Status    string `json:"status"`
		Campaigns []struct {
			Campaign string `json:"campaign"`
			Amount   int64  `json:"amount"`
		} `json:"campaigns"`
	}
	if err := json.Unmarshal(ds[4].Notice.Data, &data); err != nil || data.ID != "r1" || data.Status != "rolled_back" || len(data.Campaigns) != 2 {
		t.Errorf("rolled back data %s: %+v %v", ds[4].Notice.Data, data, err)
	}
	// An endpoint dropped from the configuration keeps its queue, out of
	// the status, and gets nothing new.
	if err := s.Configure(ctx, []string{"crm"}, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.Commit(ctx, redemption("r4", "k4", "u")); err != nil {
		t.Fatal(err)
	}
	if n, m := len(pendingOf(t, s, "crm")), len(pendingOf(t, s, "bi")); n != 6 || m != 5 {
		t.Errorf("pending crm %d (want 6), bi %d (want 5)", n, m)
	}
	st, err := s.Webhooks(ctx)
	if err != nil || len(st) != 1 || st[0].Endpoint != "crm" || st[0].Pending != 6 {
		t.Errorf("status %+v %v", st, err)
	}
	// None configured: nothing is written.
	if err := s.Configure(ctx, nil, 0); err != nil {
		t.Fatal(err)
	}
	// A redemption's created notice is a reference in the queues, not an
	// entry of the outbox: both are counted.
	before, queued := outboxLen(t, s), queueLen(t, s)
	if _, _, _, err := s.Commit(ctx, redemption("r5", "k5", "u")); err != nil {
		t.Fatal(err)
	}
	if after, q := outboxLen(t, s), queueLen(t, s); after != before || q != queued {
		t.Errorf("outbox grew from %d to %d, the queues from %d to %d, with no endpoint", before, after, queued, q)
	}
}

// queueLen is the entries of every endpoint's queue.
func queueLen(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bHookQueue).Stats().KeyN; return nil })
	return n
}

func outboxLen(t *testing.T, s *Store) int {
	t.Helper()
	n := 0
	s.db.View(func(tx *bolt.Tx) error { n = tx.Bucket(bNotices).Stats().KeyN; return nil })
	return n
}

// TestOutboxBound: an endpoint's queue holds at most its bound; past it
// the oldest notice is dropped and counted failed, the commit succeeds,
// and a notice no queue holds leaves the outbox. Settling is idempotent
// and a trigger.fired notice for one endpoint reaches that one only.
func TestOutboxBound(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	if err := s.Configure(ctx, []string{"a", "b"}, 3); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		id := string(rune('1' + i))
		if _, _, _, err := s.Commit(ctx, redemption("r"+id, "k"+id, "u")); err != nil {
			t.Fatal(err)
		}
	}
	ds := pendingOf(t, s, "a")
	if got := typesOf(ds); len(got) != 3 || got[0] != "redemption.created redemption.created:r3" {
		t.Fatalf("bounded queue %q", got)
	}
	if n := outboxLen(t, s); n != 0 {
		t.Errorf("outbox keeps %d notices; redemptions are referred to from the queues", n)
	}
	// a delivers one, gives up on one, retries one.
	now := time.Now()
	out := []policies.Outcome{{Endpoint: "a", Seq: ds[0].Seq, State: policies.Delivered, At: now},
		{Endpoint: "a", Seq: ds[1].Seq, State: policies.GaveUp, At: now, Error: "HTTP 500"},
		{Endpoint: "a", Seq: ds[1].Seq, State: policies.Delivered, At: now}, // settled twice: counts once
		{Endpoint: "a", Seq: ds[2].Seq, State: policies.Retrying, At: now, Error: "HTTP 503"}}
	if err := s.Settle(ctx, out); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Webhooks(ctx)
	if a := st[0]; a.Delivered != 1 || a.Failed != 3 || a.Dropped != 2 || a.Pending != 1 || a.LastError != "HTTP 503" || a.LastSuccessAt == nil {
		t.Errorf("a: %+v", a)
	}
	// Notices stored whole (a trigger's) leave the outbox when no queue
	// holds them; one for one endpoint goes to that one only.
	err := s.db.Update(func(tx *bolt.Tx) error {
		return putNotices(tx, []policies.Notice{{ID: "t1", Type: policies.NoticeTriggerFired, At: now, Data: json.RawMessage(`{"endpoint":"b"}`)},
			{ID: "t2", Type: policies.NoticeTriggerFired, At: now, Data: json.RawMessage(`{"trigger":"x"}`)}})
	})
	if err != nil {
		t.Fatal(err)
	}
	a, b := pendingOf(t, s, "a"), pendingOf(t, s, "b")
	// b was full (3): t1 and t2 dropped its two oldest.
	if len(a) != 2 || len(b) != 3 || b[1].Notice.ID != "t1" || b[2].Notice.ID != "t2" || a[1].Notice.ID != "t2" {
		t.Fatalf("trigger notices: a %q, b %q", typesOf(a), typesOf(b))
	}
	if n := outboxLen(t, s); n != 2 {
		t.Errorf("outbox keeps %d notices, want t1 and t2", n)
	}
	settle := func(ep string, d policies.Delivery) {
		if err := s.Settle(ctx, []policies.Outcome{{Endpoint: ep, Seq: d.Seq, State: policies.Delivered, At: now}}); err != nil {
			t.Fatal(err)
		}
	}
	settle("b", b[1])
	settle("b", b[2])
	if n := outboxLen(t, s); n != 1 {
		t.Errorf("outbox keeps %d notices, want t2 (a holds it)", n)
	}
	settle("a", a[1])
	if n := outboxLen(t, s); n != 0 {
		t.Errorf("outbox keeps %d notices, want none", n)
	}
	// The counters agree with the queues (promoedge check).
	if rep, err := s.Check(ctx); err != nil || len(rep.Mismatches) != 0 {
		t.Errorf("check: %+v %v", rep, err)
	}
	s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bHookQueue).Put(queueKey("b", 999), nil) })
	if rep, _ := s.Check(ctx); len(rep.Mismatches) != 1 || rep.Mismatches[0].What != "webhook.pending" || rep.Mismatches[0].Ledger != rep.Mismatches[0].Counter+1 {
		t.Errorf("check after a stray queue entry: %+v", rep)
	}
	s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bHookQueue).Delete(queueKey("b", 999)) })
	// A bound lowered at a restart holds from the next notice on.
	if err := s.Configure(ctx, []string{"a", "b"}, 1); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.Commit(ctx, redemption("r9", "k9", "u")); err != nil {
		t.Fatal(err)
	}
	if a, b := typesOf(pendingOf(t, s, "a")), typesOf(pendingOf(t, s, "b")); len(a) != 1 || len(b) != 1 || b[0] != "redemption.created redemption.created:r9" {
		t.Errorf("after lowering the bound to 1: a %q, b %q", a, b)
	}
}

// TestTierChangedNotice: points credited by a redemption, an adjustment
// or an event that move the customer's tier queue wallet.tier_changed.
func TestTierChangedNotice(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	if err := s.Configure(ctx, []string{"crm"}, 0); err != nil {
		t.Fatal(err)
	}
	p := &policies.Program{WindowDays: 365, Tiers: []policies.Tier{{Name: "member"}, {Name: "silver", AtLeast: 100}, {Name: "gold", AtLeast: 200}, {Name: "platinum", AtLeast: 300}}}
	now := time.Now()
	r := earning("r1", "k1", "ann", now, nil, 60)
	r.Program = p
	if _, _, _, err := s.Commit(ctx, r); err != nil {
		t.Fatal(err)
	}
	r = earning("r2", "k2", "ann", now, nil, 60)
	r.Program = p
	if _, _, _, err := s.Commit(ctx, r); err != nil {
		t.Fatal(err)
	}
	_, err := s.Adjust(ctx, &policies.Adjustment{Customer: "ann", Points: 100, Reason: "goodwill", IdempotencyKey: "adj1", At: now,
		Terms: policies.LotTerms{Active: now}, Program: p})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"ev1", "ev1"} { // the same event twice: reported once
		_, err = s.Earn(ctx, &policies.EarnEvent{ID: id, Type: "review_written", Customer: "ann", At: now, Day: 20261204,
			Earning: policies.Earning{Points: 80}, Terms: policies.LotTerms{Active: now}, Program: p})
		if err != nil {
			t.Fatal(err)
		}
	}
	var moves []string
	for _, d := range pendingOf(t, s, "crm") {
		if d.Notice.Type != policies.NoticeTierChanged {
			continue
		}
		var m struct{ From, To, Cause string }
		json.Unmarshal(d.Notice.Data, &m)
		moves = append(moves, m.From+">"+m.To+" "+m.Cause+" "+d.Notice.ID)
	}
	want := []string{"member>silver r2 wallet.tier_changed:ann:r2", "silver>gold adjust:adj1 wallet.tier_changed:ann:adjust:adj1",
		"gold>platinum event:ev1 wallet.tier_changed:ann:event:ev1"}
	if len(moves) != 3 || moves[0] != want[0] || moves[1] != want[1] || moves[2] != want[2] {
		t.Errorf("tier moves %q, want %q", moves, want)
	}
}
