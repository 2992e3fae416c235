package activity

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Minutes is how many one-minute buckets a Recorder keeps: the last hour.
const Minutes = 60

// Recorder counts decisions per minute over the last hour. The zero value
// is not usable; make one with New. It is safe for concurrent use.
type Recorder struct {
	now   func() time.Time
	mu    sync.Mutex // held only to reset a slot for a new minute
	slots [Minutes]slot
}

// slot is one minute's counts. minute is the Unix minute they belong to;
// a slot whose minute is not the one asked for holds an hour-old count.
type slot struct {
	minute       atomic.Int64
	evaluations  atomic.Int64
	applications atomic.Int64
	redemptions  atomic.Int64
	rejections   [len(reasons)]atomic.Int64
}

// Config is how a Recorder is made.
type Config struct {
	// Now is the clock that picks the minute of a count; nil is time.Now.
	Now func() time.Time
}

// New returns an empty Recorder.
func New(cfg Config) *Recorder {
	r := &Recorder{now: cfg.Now}
	if r.now == nil {
		r.now = time.Now
	}
	for i := range r.slots {
		r.slots[i].minute.Store(-1) // counts no minute yet
	}
	return r
}

// Evaluated counts one priced cart: its applied campaigns (a campaign with
// several effects counts once) and its rejections by reason.
func (r *Recorder) Evaluated(d *policies.Decision) {
	var rejected [len(reasons)]int64
	for i := range d.Rejected {
		rejected[reasonIndex(d.Rejected[i].Reason)]++
	}
	applied, prev := int64(0), ""
	for i := range d.Applied {
		if d.Applied[i].Reward != "" {
			continue // a loyalty reward, not a campaign
		}
		if c := d.Applied[i].Campaign; c != prev || i == 0 {
			applied, prev = applied+1, c
		}
	}
	s := r.slot(r.now())
	s.evaluations.Add(1)
	if applied > 0 {
		s.applications.Add(applied)
	}
	for i, n := range rejected {
		if n > 0 {
			s.rejections[i].Add(n)
		}
	}
}

// Redeemed counts one committed redemption.
func (r *Recorder) Redeemed() {
	r.slot(r.now()).redemptions.Add(1)
}

// slot is the slot of t's minute, reset first when it still holds the
// minute an hour before.
func (r *Recorder) slot(t time.Time) *slot {
	m := unixMinute(t)
	s := &r.slots[index(m)]
	if s.minute.Load() == m {
		return s
	}
	r.mu.Lock()
	if s.minute.Load() != m {
		s.evaluations.Store(0)
		s.applications.Store(0)
		s.redemptions.Store(0)
		for i := range s.rejections {
			s.rejections[i].Store(0)
		}
		s.minute.Store(m) // last: whoever sees m adds to zeroed counts
	}
	r.mu.Unlock()
	return s
}

func unixMinute(t time.Time) int64 {
	sec := t.Unix()
	if sec < 0 && sec%60 != 0 {
		return sec/60 - 1 // floor, for clocks before 1970
	}
	return sec / 60
}

func index(m int64) int { return int(((m % Minutes) + Minutes) % Minutes) }
