package activity

import (
	"sync"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// clock is a settable clock for a Recorder.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// event is one thing recorded at an offset from t0.
type event struct {
	at       time.Duration
	redeem   bool
	applied  []string          // campaign of each applied effect
	rejected []policies.Reason // reason of each rejection
}

// want is one minute of the snapshot, by its offset from the current one
// (0 the current minute, -1 the one before, ...).
type want struct {
	ago                               int
	evaluations, applications, redems int64
	rejections                        map[string]int64
}

func TestRecorder(t *testing.T) {
	cases := []struct {
		name   string
		events []event
		now    time.Duration // when the snapshot is taken
		want   []want        // every other minute must be empty
	}{{
		name: "empty",
		now:  0,
	}, {
		name: "one minute: applications count campaigns, not effects",
		events: []event{
			{at: 5 * time.Second, applied: []string{"bday", "bday", "ship"}, rejected: []policies.Reason{policies.RuleFailed, policies.RuleFailed, policies.CodeInvalid}},
			{at: 59 * time.Second, applied: []string{"ship"}},
			{at: 30 * time.Second, redeem: true},
		},
		now:  59 * time.Second,
		want: []want{{ago: 0, evaluations: 2, applications: 3, redems: 1, rejections: map[string]int64{"rule": 2, "code_invalid": 1}}},
	}, {
		name: "minute rollover starts a new bucket",
		events: []event{
			{at: 59*time.Second + 999*time.Millisecond, applied: []string{"a"}},
			{at: 60 * time.Second, applied: []string{"a", "b"}, rejected: []policies.Reason{policies.LimitExhausted}},
			{at: 61 * time.Second, redeem: true},
		},
		now: 90 * time.Second,
		want: []want{
			{ago: -1, evaluations: 1, applications: 1},
			{ago: 0, evaluations: 1, applications: 2, redems: 1, rejections: map[string]int64{"limit_exhausted": 1}},
		},
	}, {
		name: "quiet minutes in between are zero",
		events: []event{
			{at: 0, redeem: true},
			{at: 10 * time.Minute, redeem: true},
			{at: 10*time.Minute + time.Second, redeem: true},
		},
		now:  12 * time.Minute,
		want: []want{{ago: -12, redems: 1}, {ago: -2, redems: 2}},
	}, {
		name: "an hour later the slot is reused, not added to",
		events: []event{
			{at: 0, applied: []string{"old"}, rejected: []policies.Reason{policies.Expired}},
			{at: 60 * time.Minute, applied: []string{"new"}},
		},
		now:  60*time.Minute + 30*time.Second,
		want: []want{{ago: 0, evaluations: 1, applications: 1}},
	}, {
		name:   "older than an hour is gone",
		events: []event{{at: 0, redeem: true}},
		now:    60 * time.Minute,
	}, {
		name:   "59 minutes ago is still there",
		events: []event{{at: 0, redeem: true}},
		now:    59*time.Minute + 59*time.Second,
		want:   []want{{ago: -59, redems: 1}},
	}, {
		name:   "an unknown reason counts as other",
		events: []event{{at: 0, rejected: []policies.Reason{"brand_new", policies.ExcludedByStacker}}},
		now:    0,
		want:   []want{{ago: 0, evaluations: 1, rejections: map[string]int64{"other": 1, "excluded": 1}}},
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{t: t0}
			r := New(Config{Now: c.now})
			for _, e := range tc.events {
				c.set(t0.Add(e.at))
				if e.redeem {
					r.Redeemed()
					continue
				}
				r.Evaluated(decision(e.applied, e.rejected))
			}
			c.set(t0.Add(tc.now))
			checkSnapshot(t, r.Snapshot(), t0.Add(tc.now), tc.want)
		})
	}
}

func decision(applied []string, rejected []policies.Reason) *policies.Decision {
	d := &policies.Decision{}
	for _, c := range applied {
		d.Applied = append(d.Applied, policies.Applied{Campaign: c})
	}
	for _, r := range rejected {
		d.Rejected = append(d.Rejected, policies.Rejection{Campaign: "x", Reason: r})
	}
	return d
}

func checkSnapshot(t *testing.T, s Snapshot, now time.Time, wants []want) {
	t.Helper()
	if !s.Now.Equal(now) || len(s.Minutes) != Minutes {
		t.Fatalf("now %v, %d minutes; want %v, %d", s.Now, len(s.Minutes), now, Minutes)
	}
	byAgo := map[int]want{}
	var total want
	total.rejections = map[string]int64{}
	for _, w := range wants {
		byAgo[w.ago] = w
		total.evaluations += w.evaluations
		total.applications += w.applications
		total.redems += w.redems
		for k, v := range w.rejections {
			total.rejections[k] += v
		}
	}
	cur := now.Truncate(time.Minute)
	for i, m := range s.Minutes {
		ago := i - (Minutes - 1)
		if wantStart := cur.Add(time.Duration(ago) * time.Minute); !m.Start.Equal(wantStart) {
			t.Errorf("minute %d starts %v, want %v", i, m.Start, wantStart)
		}
		compare(t, "minute "+m.Start.Format("15:04"), m, byAgo[ago])
	}
	compare(t, "total", s.Total, total)
	if got := s.Reasons[len(s.Reasons)-1]; got != "other" || len(s.Reasons) != len(policies.Reasons)+1 {
		t.Errorf("reasons %v: want every policies reason and then other", s.Reasons)
	}
}

func compare(t *testing.T, what string, got Minute, w want) {
	t.Helper()
	if got.Evaluations != w.evaluations || got.Applications != w.applications || got.Redemptions != w.redems {
		t.Errorf("%s: evaluations %d applications %d redemptions %d; want %d %d %d",
			what, got.Evaluations, got.Applications, got.Redemptions, w.evaluations, w.applications, w.redems)
	}
	if len(got.Rejections) != len(w.rejections) {
		t.Errorf("%s: rejections %v, want %v", what, got.Rejections, w.rejections)
	}
	for k, v := range w.rejections {
		if got.Rejections[k] != v {
			t.Errorf("%s: rejections %v, want %v", what, got.Rejections, w.rejections)
		}
	}
}

// TestEveryReasonHasItsOwnBucket keeps reasonIndex in step with the
// policies package: each reason of docs/api.md#rejection-reasons lands in its own bucket, by name.
func TestEveryReasonHasItsOwnBucket(t *testing.T) {
	seen := map[int]policies.Reason{}
	for _, r := range policies.Reasons {
		i := reasonIndex(r)
		if reasons[i] != r {
			t.Errorf("reason %q is counted as %q", r, reasons[i])
		}
		if prev, dup := seen[i]; dup {
			t.Errorf("reasons %q and %q share bucket %d", prev, r, i)
		}
		seen[i] = r
	}
	if len(seen) != len(reasons)-1 {
		t.Errorf("%d reasons in policies, %d buckets besides other", len(seen), len(reasons)-1)
	}
}

// TestConcurrentRollover records from many goroutines while the clock
// crosses minutes: nothing is lost, nothing counted twice (run with -race).
func TestConcurrentRollover(t *testing.T) {
	c := &clock{t: t0}
	r := New(Config{Now: c.now})
	const workers, per = 8, 2000
	d := decision([]string{"a"}, []policies.Reason{policies.RuleFailed})
	for minute := range 3 {
		c.set(t0.Add(time.Duration(minute)*time.Minute + 30*time.Second))
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for range per {
					r.Evaluated(d)
					r.Redeemed()
				}
			})
		}
		wg.Wait()
	}
	s := r.Snapshot()
	for _, m := range s.Minutes[Minutes-3:] {
		if m.Evaluations != workers*per || m.Applications != workers*per || m.Redemptions != workers*per || m.Rejections["rule"] != workers*per {
			t.Errorf("minute %v: %+v, want %d of each", m.Start, m, workers*per)
		}
	}
	if s.Total.Evaluations != 3*workers*per {
		t.Errorf("total evaluations %d, want %d", s.Total.Evaluations, 3*workers*per)
	}
}
