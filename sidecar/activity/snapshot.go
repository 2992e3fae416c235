package activity

import "time"

// Snapshot is the last hour as GET /v1/activity shows it.
type Snapshot struct {
	// Now is the Recorder's clock when the snapshot was taken (UTC).
	Now time.Time `json:"now"`
	// Reasons is every rejection reason counted, in the order of docs/api.md#reason-order.
	Reasons []string `json:"reasons"`
	// Minutes are the last Minutes minutes, oldest first, the current
	// (still counting) minute last; a minute with nothing is all zeros.
	Minutes []Minute `json:"minutes"`
	// Total is the sum of Minutes; its Start is the first minute's.
	Total Minute `json:"total"`
}

// Minute is what one minute counted.
type Minute struct {
	// Start is the minute's first instant (UTC).
	Start time.Time `json:"start"`
	// Evaluations is carts priced by POST /v1/evaluate.
	Evaluations int64 `json:"evaluations"`
	// Applications is campaigns applied to those carts.
	Applications int64 `json:"applications"`
	// Rejections is campaigns (and codes) rejected, by reason; reasons
	// with no rejection are left out.
	Rejections map[string]int64 `json:"rejections"`
	// Redemptions is redemptions committed by POST /v1/redemptions.
	Redemptions int64 `json:"redemptions"`
}

// Snapshot reads the last hour.
func (r *Recorder) Snapshot() Snapshot {
	now := r.now().UTC()
	cur := unixMinute(now)
	out := Snapshot{Now: now, Reasons: make([]string, len(reasons)), Minutes: make([]Minute, Minutes)}
	for i, reason := range reasons {
		out.Reasons[i] = string(reason)
	}
	out.Total = Minute{Start: time.Unix((cur-Minutes+1)*60, 0).UTC(), Rejections: map[string]int64{}}
	for i := range out.Minutes {
		m := cur - Minutes + 1 + int64(i)
		out.Minutes[i] = r.read(m)
		out.Total.add(out.Minutes[i])
	}
	return out
}

// read is minute m's counts; zeros when its slot holds another minute.
func (r *Recorder) read(m int64) Minute {
	out := Minute{Start: time.Unix(m*60, 0).UTC(), Rejections: map[string]int64{}}
	s := &r.slots[index(m)]
	if s.minute.Load() != m {
		return out
	}
	out.Evaluations = s.evaluations.Load()
	out.Applications = s.applications.Load()
	out.Redemptions = s.redemptions.Load()
	for i := range s.rejections {
		if n := s.rejections[i].Load(); n > 0 {
			out.Rejections[string(reasons[i])] = n
		}
	}
	if s.minute.Load() != m { // reset for a newer minute while being read
		return Minute{Start: out.Start, Rejections: map[string]int64{}}
	}
	return out
}

func (m *Minute) add(o Minute) {
	m.Evaluations += o.Evaluations
	m.Applications += o.Applications
	m.Redemptions += o.Redemptions
	for k, v := range o.Rejections {
		m.Rejections[k] += v
	}
}
