package progress

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// Meter shows the progress of one task.
type Meter interface {
	// Update says how far the task is: items done, and bytes written (0
	// when the task does not count them). Both only grow.
	Update(items, bytes int64)
	// Finish ends the display and writes summary as its last line.
	Finish(summary string)
	// Abort ends the display without a summary: the caller reports why.
	Abort()
}

// Task is what a Meter measures.
type Task struct {
	// Noun names the items, plural: "codes", "records".
	Noun string
	// Total is the number of items expected; 0 when not known.
	Total int64
}

// New returns a bar for a terminal and plain lines for anything else.
func New(w io.Writer, terminal bool, t Task) Meter {
	if terminal {
		return newBar(w, t, 100*time.Millisecond)
	}
	return newLines(w, t, time.Now)
}

// Terminal says whether w is a terminal: an *os.File on a tty.
func Terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Rate is items over d, as a line shows it.
func Rate(items int64, d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f/s", float64(items)/d.Seconds())
}

// Bytes is n in human units (kB, MB, GB: powers of 1000).
func Bytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 3; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGT"[exp])
}
