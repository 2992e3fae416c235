package activation

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/promoedge/promoedge/policies"
)

// activate swaps rev in and, for a tarball (data not nil), keeps it as
// the last good bundle, both under one lock: two activations at once
// (overlapping PUT /v1/bundles) could otherwise swap in one order and
// rename their files in the other, leaving the older revision on disk
// for the next start. Loading, the slow part, stays outside the lock.
func (a *Activator) activate(rev *policies.Revision, kind, source string, data []byte) (*Activation, error) {
	a.order.Lock()
	defer a.order.Unlock()
	act := a.swap(rev, kind, source)
	if data == nil {
		return act, nil
	}
	if err := a.keep(data); err != nil {
		return act, fmt.Errorf("bundle %s is active but could not be kept on disk: %w", rev.ID, err)
	}
	return act, nil
}

// removeOrphans removes the temporary files of keep that a crash left
// behind.
func (a *Activator) removeOrphans() {
	if a.cfg.Dir == "" {
		return
	}
	tmps, _ := filepath.Glob(filepath.Join(a.cfg.Dir, "last-good-*.tmp"))
	for _, p := range tmps {
		if err := os.Remove(p); err != nil {
			a.cfg.Log.Warn("removing an orphaned temporary bundle file", "file", p, "err", err)
		} else {
			a.cfg.Log.Info("removed an orphaned temporary bundle file", "file", p)
		}
	}
}
