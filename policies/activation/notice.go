package activation

import (
	"github.com/promoedge/promoedge/policies"
)

// Fallback activates rev, built elsewhere, as Revision does, with a
// warning that Status shows until another bundle replaces it: the embedded
// example bundle served because no bundle was given. It is meant for the
// start, before anything else activates a bundle.
func (a *Activator) Fallback(rev *policies.Revision, warning string) *Activation {
	act, _ := a.activate(rev, SourceBuilt, rev.Source, nil) // in turn with uploads (keep.go)
	a.mu.Lock()
	a.status.Warning = warning
	a.mu.Unlock()
	return act
}

// unreachable records that the bundle at source could not be fetched, as
// the last error Status shows; the active bundle keeps serving. It is not
// a refusal: nothing arrived to refuse.
func (a *Activator) unreachable(source string, err error) error {
	r := Refusal{At: a.cfg.Now().UTC(), Source: source, Errors: []string{err.Error()}}
	a.mu.Lock()
	a.status.LastError = &r
	a.mu.Unlock()
	return err
}
