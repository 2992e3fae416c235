package sidecar_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// failingState is a State whose writes fail while broken is set, as a
// full disk makes them.
type failingState struct {
	sidecar.State
	broken atomic.Bool
}

func (s *failingState) Probe(context.Context) error {
	if s.broken.Load() {
		return errors.New("write promoedge.db: no space left on device")
	}
	return nil
}

var _ sidecar.Writable = (*failingState)(nil)

func TestReadyReflectsAStoreThatCannotWrite(t *testing.T) {
	st := &failingState{}
	s := sidecartest.StartWith(t, engine(t), st, "")
	if status, out := s.Do(t, "GET", "/ready", nil); status != http.StatusOK {
		t.Fatalf("a store that writes: %d %s", status, out)
	}
	st.broken.Store(true)
	ready := func() (int, string) {
		status, out := s.Do(t, "GET", "/ready", nil)
		return status, string(out)
	}
	deadline := time.Now().Add(3 * time.Second)
	status, out := ready()
	for status == http.StatusOK && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		status, out = ready()
	}
	if status != http.StatusServiceUnavailable || !strings.Contains(out, "no space left") {
		t.Fatalf("a store that cannot write: %d %s", status, out)
	}
	st.broken.Store(false)
	for status != http.StatusOK && time.Now().Before(deadline.Add(3*time.Second)) {
		time.Sleep(50 * time.Millisecond)
		status, out = ready()
	}
	if status != http.StatusOK {
		t.Fatalf("writes back: %d %s", status, out)
	}
}
