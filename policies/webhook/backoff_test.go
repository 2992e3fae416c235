package webhook

import (
	"testing"
	"time"
)

// TestBackoff: the wait after the n'th failed attempt is FirstRetry
// doubled n-1 times, capped at MaxBackoff, with jitter down to half
// (docs/webhooks.md: after 1 s, then about 2 s, 4 s, ..., at most an hour
// apart).
func TestBackoff(t *testing.T) {
	w := &Worker{cfg: DefaultConfig()}
	for failures, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		for range 50 {
			if d := w.backoff(failures); d < want/2 || d > want {
				t.Fatalf("after %d failures: %s, want %s to %s", failures+1, d, want/2, want)
			}
		}
	}
	for _, failures := range []int{12, 13, 40, 1000} { // 2^12 s is past an hour
		if d := w.backoff(failures); d < 30*time.Minute || d > time.Hour {
			t.Fatalf("after %d failures: %s, want 30m to 1h", failures+1, d)
		}
	}
}
