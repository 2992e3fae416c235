package progress

import (
	"fmt"
	"io"
	"time"
)

// Bounds of the plain display: a line at each tenth of a known total, or
// each Step items of an unknown one, and at least every Every while the
// task runs.
const (
	Step  = 100_000
	Every = 2 * time.Second
)

// lines writes a progress line now and then, for logs.
type lines struct {
	w     io.Writer
	t     Task
	now   func() time.Time
	start time.Time
	last  time.Time // of the last line
	next  int64     // items at which the next line is due
	items int64
	bytes int64
}

var _ Meter = (*lines)(nil)

func newLines(w io.Writer, t Task, now func() time.Time) *lines {
	l := &lines{w: w, t: t, now: now, start: now()}
	l.last = l.start
	l.next = l.step()
	return l
}

// step is how many items a line covers.
func (l *lines) step() int64 {
	if l.t.Total > 0 {
		return max(1, (l.t.Total+9)/10)
	}
	return Step
}

func (l *lines) Update(items, bytes int64) {
	l.items, l.bytes = items, bytes
	now := l.now()
	if items < l.next && now.Sub(l.last) < Every {
		return
	}
	if l.t.Total > 0 && items >= l.t.Total {
		return // the summary says it
	}
	for l.next <= items {
		l.next += l.step()
	}
	l.last = now
	fmt.Fprintln(l.w, l.line(now))
}

func (l *lines) line(now time.Time) string {
	rate := Rate(l.items, now.Sub(l.start))
	s := fmt.Sprintf("%d", l.items)
	if l.t.Total > 0 {
		s = fmt.Sprintf("%d/%d %s (%d%%)", l.items, l.t.Total, l.t.Noun, l.items*100/l.t.Total)
	} else {
		s += " " + l.t.Noun
	}
	if l.bytes > 0 {
		s += ", " + Bytes(l.bytes)
	}
	return s + ", " + rate
}

func (l *lines) Finish(summary string) { fmt.Fprintln(l.w, summary) }

func (l *lines) Abort() {}
