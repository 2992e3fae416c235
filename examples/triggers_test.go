package examples_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/promoedge/promoedge/examples"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar/client"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

const triggerToken = "trigger-admin"

// triggerEnv serves the example bundle over HTTP with a store in dir, an
// engine on a clock the test moves, and the trigger scheduler running.
type triggerEnv struct {
	c     *client.Client
	e     *policies.Engine
	st    *store.Store
	now   *atomic.Int64 // the engine's clock, unix ns
	close func()
}

var trigT0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC) // a Monday

func newTriggerEnv(t *testing.T, dir string, now *atomic.Int64) *triggerEnv {
	t.Helper()
	rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "embedded", Endpoints: map[string]bool{"push": true}}, examples.Default())
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(store.DefaultConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	e := policies.NewEngine(policies.Config{Usage: st, Codes: st, Committer: st, Wallets: st, Events: st, Now: clock})
	e.Swap(rev)
	s := sidecartest.StartWith(t, e, st, triggerToken)
	c, err := client.New("http://sidecar", client.WithHTTPClient(s.Client), client.WithAdminToken(triggerToken))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.RunTriggers(ctx, func(err error) { t.Errorf("scheduler: %v", err) })
	}()
	env := &triggerEnv{c: c, e: e, st: st, now: now}
	env.close = func() {
		cancel()
		<-done
		s.Stop()
		st.Close()
	}
	t.Cleanup(env.close)
	return env
}

func (env *triggerEnv) event(t *testing.T, ev client.Event) *policies.EarnResult {
	t.Helper()
	at := time.Unix(0, env.now.Load()).UTC()
	if ev.At == nil {
		ev.At = &at
	}
	r, err := env.c.RecordEvent(context.Background(), &ev)
	if err != nil {
		t.Fatalf("event %s: %v", ev.ID, err)
	}
	return r
}

// advance moves the clock to t0+d and wakes the scheduler.
func (env *triggerEnv) advance(d time.Duration) {
	env.now.Store(trigT0.Add(d).UnixNano())
	env.e.WakeTriggers()
}

// state waits until the trigger of event id is in state want (the
// scheduler runs on its own goroutine) and returns it.
func (env *triggerEnv) state(t *testing.T, id, want string) policies.TriggerState {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := env.c.EventByID(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Triggers) > 0 && v.Triggers[len(v.Triggers)-1].State == want {
			return v.Triggers[len(v.Triggers)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("event %s: triggers %+v, want one %s", id, v.Triggers, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func clockAt(t time.Time) *atomic.Int64 {
	n := new(atomic.Int64)
	n.Store(t.UnixNano())
	return n
}

// TestAbandonedCartVoucher: a voucher two days after an abandoned cart,
// unless the order came. One customer abandons a cart and gets a
// comeback code 48h later (not at 47h), owned by them, that takes 10%
// off; another orders within the two days and gets nothing.
func TestAbandonedCartVoucher(t *testing.T) {
	env := newTriggerEnv(t, t.TempDir(), clockAt(trigT0))
	r := env.event(t, client.Event{ID: "ab-1", Type: "cart_abandoned", CustomerID: "u-1", CartID: "c-1"})
	if len(r.Triggers) != 1 || r.Triggers[0].State != policies.TriggerScheduled || !r.Triggers[0].At.Equal(trigT0.Add(48*time.Hour)) {
		t.Fatalf("abandoned: %+v", r.Triggers)
	}
	env.event(t, client.Event{ID: "ab-2", Type: "cart_abandoned", CustomerID: "u-2", CartID: "c-2"})
	env.advance(time.Hour)
	r = env.event(t, client.Event{ID: "ord-2", Type: "order_placed", CustomerID: "u-2", CartID: "c-2"})
	if len(r.Triggers) != 1 || r.Triggers[0].State != policies.TriggerCancelled || r.Triggers[0].Trigger != "abandoned-cart" {
		t.Fatalf("the order cancels u-2's voucher: %+v", r.Triggers)
	}
	// An order of u-1's other cart does not cancel c-1's voucher.
	if r := env.event(t, client.Event{ID: "ord-1x", Type: "order_placed", CustomerID: "u-1", CartID: "c-other"}); len(r.Triggers) != 0 {
		t.Fatalf("another cart's order: %+v", r.Triggers)
	}
	env.advance(47 * time.Hour)
	env.state(t, "ab-1", policies.TriggerScheduled)
	env.advance(48 * time.Hour)
	fired := env.state(t, "ab-1", policies.TriggerFired)
	if len(fired.Codes) != 1 {
		t.Fatalf("fired without a code: %+v", fired)
	}
	code, err := env.c.Code(context.Background(), fired.Codes[0])
	if err != nil || code.Campaign != "comeback-10" || code.Owner != "u-1" {
		t.Fatalf("code %+v %v", code, err)
	}
	env.state(t, "ab-2", policies.TriggerCancelled)
	req := request(trigT0.Add(49*time.Hour).Format(time.RFC3339), []line{{"LAMP", "home", 1, 10000}}, 0, `{"id":"u-1"}`, "")
	wantApplied(t, evaluate(t, env.c, withCodes(req, fired.Codes[0])), "comeback-10", 1000)
	// A replay of the event answers the first answer and starts nothing.
	if r := env.event(t, client.Event{ID: "ab-1", Type: "cart_abandoned", CustomerID: "u-1", CartID: "c-1"}); r.Triggers[0].State != policies.TriggerScheduled {
		t.Fatalf("replay: %+v", r.Triggers)
	}
	if due, ok, _ := env.st.NextDue(context.Background()); ok {
		t.Fatalf("a replay scheduled again: due %s", due)
	}
}

// TestReviewPoints: points for a review: the program's earning (50) for
// every review, and the review-bonus trigger's 25 for a verified one.
func TestReviewPoints(t *testing.T) {
	env := newTriggerEnv(t, t.TempDir(), clockAt(trigT0))
	r := env.event(t, client.Event{ID: "rv-1", Type: "review_written", CustomerID: "u-3", Attributes: map[string]any{"verified_purchase": true}})
	if r.Points != 50 || len(r.Triggers) != 1 || r.Triggers[0].State != policies.TriggerFired || r.Triggers[0].Points != 25 {
		t.Fatalf("verified review: %+v", r)
	}
	env.advance(24 * time.Hour)
	r = env.event(t, client.Event{ID: "rv-2", Type: "review_written", CustomerID: "u-3", Attributes: map[string]any{"verified_purchase": false}})
	if r.Points != 50 || len(r.Triggers) != 1 || r.Triggers[0].State != policies.TriggerSkipped || r.Triggers[0].Reason != "rule" {
		t.Fatalf("unverified review: %+v", r)
	}
	w, err := env.c.Wallet(context.Background(), "u-3", trigT0.Add(25*time.Hour))
	if err != nil || w.Balance != 125 {
		t.Fatalf("wallet %+v %v", w, err)
	}
}

// TestWelcomeCode: a welcome code on sign-up, owned by the customer,
// $15 off an order of $50 or more.
func TestWelcomeCode(t *testing.T) {
	env := newTriggerEnv(t, t.TempDir(), clockAt(trigT0))
	r := env.event(t, client.Event{ID: "su-1", Type: "signed_up", CustomerID: "u-4"})
	if len(r.Triggers) != 1 || r.Triggers[0].State != policies.TriggerFired || len(r.Triggers[0].Codes) != 1 {
		t.Fatalf("sign-up: %+v", r)
	}
	code := r.Triggers[0].Codes[0]
	if c, err := env.c.Code(context.Background(), code); err != nil || c.Owner != "u-4" || c.Campaign != "welcome-15" {
		t.Fatalf("code %+v %v", c, err)
	}
	req := request(trigT0.Format(time.RFC3339), []line{{"LAMP", "home", 1, 6000}}, 0, `{"id":"u-4"}`, "")
	wantApplied(t, evaluate(t, env.c, withCodes(req, code)), "welcome-15", 1500)
}

// TestGeofencedOffer: a customer entering the Berlin store's area gets
// a push offer (a code and the push endpoint's notice) at most once a
// week; another store's area starts nothing.
func TestGeofencedOffer(t *testing.T) {
	env := newTriggerEnv(t, t.TempDir(), clockAt(trigT0))
	enter := func(id, storeID string) policies.TriggerState {
		t.Helper()
		r := env.event(t, client.Event{ID: id, Type: "location_entered", CustomerID: "u-5", Attributes: map[string]any{"store_id": storeID}})
		if len(r.Triggers) != 1 {
			t.Fatalf("%s: %+v", id, r.Triggers)
		}
		return r.Triggers[0]
	}
	first := enter("loc-1", "berlin-1")
	if first.State != policies.TriggerFired || len(first.Codes) != 1 || !slices.Equal(first.Endpoints, []string{"push"}) {
		t.Fatalf("first visit: %+v", first)
	}
	env.advance(6 * 24 * time.Hour)
	if s := enter("loc-2", "berlin-1"); s.State != policies.TriggerSkipped || s.Reason != policies.SkipCooldown {
		t.Fatalf("a visit within the week: %+v", s)
	}
	if s := enter("loc-3", "paris-3"); s.State != policies.TriggerSkipped || s.Reason != "rule" {
		t.Fatalf("another store: %+v", s)
	}
	env.advance(7 * 24 * time.Hour)
	if s := enter("loc-4", "berlin-1"); s.State != policies.TriggerFired || s.Codes[0] == first.Codes[0] {
		t.Fatalf("a week later: %+v", s)
	}
	req := request(trigT0.Add(7*24*time.Hour).Format(time.RFC3339), []line{{"LAMP", "home", 1, 10000}}, 0, `{"id":"u-5"}`, "berlin-1")
	wantApplied(t, evaluate(t, env.c, withCodes(req, first.Codes[0])), "store-visit-20", 2000)
}

// TestScheduledTriggersSurviveRestart: a scheduled trigger survives a
// restart that happens before it is due, fires once after it, and is not
// fired again by another restart.
func TestScheduledTriggersSurviveRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	now := clockAt(trigT0)
	env := newTriggerEnv(t, dir, now)
	env.event(t, client.Event{ID: "ab-r", Type: "cart_abandoned", CustomerID: "u-6", CartID: "c-6"})
	env.close()
	now.Store(trigT0.Add(50 * time.Hour).UnixNano()) // due while it was down
	env = newTriggerEnv(t, dir, now)
	fired := env.state(t, "ab-r", policies.TriggerFired)
	env.close()
	env = newTriggerEnv(t, dir, now)
	env.e.WakeTriggers()
	if states, err := env.e.FireDue(context.Background()); err != nil || len(states) != 0 {
		t.Fatalf("fired again after a second restart: %+v %v", states, err)
	}
	if again := env.state(t, "ab-r", policies.TriggerFired); !slices.Equal(again.Codes, fired.Codes) {
		t.Fatalf("codes changed: %v then %v", fired.Codes, again.Codes)
	}
}

// exampleWith is the example bundle with the files under drop removed
// and extra added (path -> content).
func exampleWith(t *testing.T, drop string, extra map[string]string) *policies.Revision {
	t.Helper()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(examples.Default(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || (drop != "" && strings.HasPrefix(p, drop)) {
			return err
		}
		data, err := fs.ReadFile(examples.Default(), p)
		fsys[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, c := range extra {
		fsys[p] = &fstest.MapFile{Data: []byte(c)}
	}
	rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "modified example"}, fsys)
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// TestTriggerDecidesAgainWhenItFires: a scheduled trigger is decided
// against the bundle active when it fires: removed, disabled, or whose
// campaign expired since, it is skipped with the reason recorded, and
// issues nothing.
func TestTriggerDecidesAgainWhenItFires(t *testing.T) {
	env := newTriggerEnv(t, t.TempDir(), clockAt(trigT0))
	cases := []struct {
		customer, reason string
		rev              *policies.Revision
	}{
		{"u-a", policies.SkipRemoved, exampleWith(t, "promo/triggers/abandoned-cart/", nil)},
		{"u-b", string(policies.Disabled), exampleWith(t, "", map[string]string{"promo/triggers/abandoned-cart/data.yaml": "event: cart_abandoned\nenabled: false\nafter: 48h\nactions: [{type: issue_code, campaign: comeback-10}]\n"})},
		{"u-c", policies.SkipCampaignSchedule, exampleWith(t, "", map[string]string{"promo/campaigns/comeback-10/data.yaml": "unique_codes: true\nvalid_until: \"2026-11-03T00:00:00Z\"\neffects: [{type: percent_off, percent: 10}]\n"})},
	}
	original := env.e.Revision()
	for i, c := range cases {
		env.e.Swap(original)
		env.event(t, client.Event{ID: "ab-" + c.customer, Type: "cart_abandoned", CustomerID: c.customer, CartID: "c"})
		env.e.Swap(c.rev)
		env.advance(time.Duration(i+1) * 48 * time.Hour)
		s := env.state(t, "ab-"+c.customer, policies.TriggerSkipped)
		if s.Reason != c.reason || len(s.Codes) != 0 {
			t.Errorf("%s: %+v, want skipped %s", c.customer, s, c.reason)
		}
	}
}

// TestBadEventsWriteNothing: events without id or type, with a bad type,
// attributes or customer, anonymous, or not JSON are refused with a clear
// error at the field, and nothing is recorded, scheduled or credited.
func TestBadEventsWriteNothing(t *testing.T) {
	env := newTriggerEnv(t, t.TempDir(), clockAt(trigT0))
	s := sidecartest.StartWith(t, env.e, env.st, triggerToken)
	for _, c := range []struct{ body, field string }{
		{`{"type":"cart_abandoned","customer_id":"u-1"}`, "id"},
		{`{"id":"","type":"cart_abandoned","customer_id":"u-1"}`, "id"},
		{`{"id":"x\u0000y","type":"cart_abandoned","customer_id":"u-1"}`, "id"},
		{`{"id":"b-1","customer_id":"u-1"}`, "type"},
		{`{"id":"b-1","type":"Cart Abandoned","customer_id":"u-1"}`, "type"},
		{`{"id":"b-1","type":"cart_abandoned"}`, "customer_id"},
		{`{"id":"b-1","type":"signed_up","customer":{"tier":"vip"}}`, "customer_id"},
		{`{"id":"b-1","type":"review_written","customer_id":"u-1","attributes":["verified_purchase"]}`, "attributes"},
		{`{"id":"b-1","type":"review_written","customer_id":"u-1","customer":"u-1"}`, "customer"},
		{`{"id":"b-1","type":"review_written","customer_id":"u-1","cart_id":7}`, "cart_id"},
		{`{"id":"b-1","type":"review_written","customer_id":"u-1","at":"yesterday"}`, "at"},
		{`{"id":"b-1","type":`, ""},
		{`[]`, ""},
	} {
		status, out := s.Do(t, "POST", "/v1/events", []byte(c.body))
		var e struct {
			Error struct{ Code, Message, Field string }
		}
		if err := json.Unmarshal(out, &e); err != nil || status != 400 || e.Error.Code != "invalid_request" || e.Error.Field != c.field || e.Error.Message == "" {
			t.Errorf("%s: %d %s, want 400 at %q", c.body, status, out, c.field)
		}
	}
	if status, _ := s.DoAs(t, triggerToken, "GET", "/v1/events/b-1", nil); status != 404 {
		t.Errorf("a refused event was recorded: %d", status)
	}
	if _, ok, _ := env.st.NextDue(context.Background()); ok {
		t.Error("a refused event scheduled a trigger")
	}
	if w, err := env.c.Wallet(context.Background(), "u-1", trigT0); err != nil || w.Balance != 0 {
		t.Errorf("a refused event credited points: %+v %v", w, err)
	}
}
