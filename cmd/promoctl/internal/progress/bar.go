package progress

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// describeEvery bounds how often a spinner's byte count is redrawn.
const describeEvery = 200 * time.Millisecond

// bar draws on a terminal: a bar with count, rate and ETA for a known
// total, a spinner with count, rate and bytes for an unknown one.
type bar struct {
	w         io.Writer
	t         Task
	pb        *progressbar.ProgressBar
	described time.Time
}

var _ Meter = (*bar)(nil)

// newBar redraws at most once per throttle (but always the last state).
func newBar(w io.Writer, t Task, throttle time.Duration) *bar {
	total := t.Total
	if total <= 0 {
		total = -1 // a spinner
	}
	pb := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(t.Noun),
		progressbar.OptionSetItsString(t.Noun),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(throttle),
		progressbar.OptionSpinnerType(14),
		// No redraw goroutine: the bar is drawn by Update, so nothing
		// writes to w after Finish.
		progressbar.OptionSetSpinnerChangeInterval(0),
	)
	return &bar{w: w, t: t, pb: pb}
}

func (b *bar) Update(items, bytes int64) {
	if bytes > 0 && time.Since(b.described) >= describeEvery {
		b.described = time.Now()
		b.pb.Describe(fmt.Sprintf("%s, %s", b.t.Noun, Bytes(bytes)))
	}
	_ = b.pb.Set64(items) // errors only for a count past the total: drawn as full
}

func (b *bar) Finish(summary string) {
	if b.t.Total > 0 {
		_ = b.pb.Finish()
	}
	_ = b.pb.Exit()
	fmt.Fprintf(b.w, "\n%s\n", summary)
}

func (b *bar) Abort() {
	_ = b.pb.Exit()
	fmt.Fprintln(b.w)
}
