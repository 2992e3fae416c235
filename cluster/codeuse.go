package cluster

import (
	"context"
	"sync"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// Code-use hints let evaluate say code_used on every node soon after a
// generated code is used on one. Redeem never reads them (the engine
// consults policies.CodeHints for evaluate only): a code's use is decided
// by its rights alone (codes.go), so a hint that is late, lost or stale
// can make evaluate offer a used code (redeem then refuses it) or refuse a
// free one (redeem then takes it); it can never let a code be used twice
// nor keep a free one from being redeemed.
//
// The node that spends or gives back a code's use broadcasts it; a hint
// is a last-writer-wins register per code (the kill switch's shape, with
// Disabled meaning used up), relayed on first receipt as usage is. Hints
// are kept in memory and written to the file once per publish interval,
// in one transaction (store.PutCodeUseHints), so a busy code campaign costs each node one write a
// tick, not one per use.

// CodeHints is what this node heard of generated codes used on other
// nodes (policies.CodeHints), for evaluate only.
type CodeHints struct {
	*base
	codeHints
}

// codeHints are the hints not yet in the file.
type codeHints struct {
	mu       sync.Mutex
	pending  map[limitKey]switchState // code -> hint (Disabled: used up)
	flushing map[limitKey]switchState // being written
	flushes  uint64                   // flushes done: the file changed
	stamp    uint64                   // of this node's last hint
}

// announceCodeUse tells the fleet that the use of k was spent (used) or
// given back here. It runs once the redemption or rollback is committed.
func (h *CodeHints) announceCodeUse(k limitKey, used bool) {
	h.mu.Lock()
	h.stamp = max(uint64(time.Now().UnixNano()), h.stamp+1)
	s := switchState{Disabled: used, Stamp: h.stamp, Node: h.cfg.Name}
	h.mu.Unlock()
	h.noteCodeUse(k, s)
	m := message{kind: kCodeUse, node: h.cfg.Name, campaign: k.Campaign, s: s}
	h.queue.QueueBroadcast(&broadcast{name: "c/" + k.Campaign, msg: m.encode(nil)})
}

// noteCodeUse keeps s if it is newer than the hint known for k, and
// reports whether it was.
func (h *CodeHints) noteCodeUse(k limitKey, s switchState) bool {
	key := k
	for {
		cur, ok, gen := h.hint(key)
		if ok && !s.Newer(cur) {
			return false
		}
		h.mu.Lock()
		if h.flushes != gen { // the file changed since it was read
			h.mu.Unlock()
			continue
		}
		if m, ok := h.memHintLocked(key); ok && !s.Newer(m) {
			h.mu.Unlock()
			return false
		}
		h.pending[key] = s
		h.mu.Unlock()
		return true
	}
}

// hint is the newest hint known for key, and the flush count it was read
// at. The file is read without holding the lock (a flush that ends
// meanwhile makes it read again).
func (h *CodeHints) hint(key limitKey) (switchState, bool, uint64) {
	for {
		h.mu.Lock()
		s, ok := h.memHintLocked(key)
		gen := h.flushes
		h.mu.Unlock()
		if ok {
			return s, true, gen
		}
		campaign, code := splitCodeKey(key)
		stored, found, _ := h.st.CodeUseHint(campaign, code)
		s = switchState{Disabled: stored.Used, Stamp: stored.Stamp, Node: stored.Node}
		h.mu.Lock()
		same := h.flushes == gen
		h.mu.Unlock()
		if same {
			return s, found, gen
		}
	}
}

// memHintLocked is the hint for key not yet in the file; h.mu is
// held.
func (h *CodeHints) memHintLocked(key limitKey) (switchState, bool) {
	if s, ok := h.pending[key]; ok {
		return s, true
	}
	s, ok := h.flushing[key]
	return s, ok
}

// flushCodeUse writes the pending hints to the file in one transaction.
func (h *CodeHints) flushCodeUse() {
	h.mu.Lock()
	if len(h.pending) == 0 {
		h.mu.Unlock()
		return
	}
	h.flushing, h.pending = h.pending, map[limitKey]switchState{}
	batch := h.flushing
	h.mu.Unlock()
	hints := make(map[policies.RightsKey]store.CodeUseHint, len(batch))
	for k, s := range batch {
		hints[k.rights()] = store.CodeUseHint{Used: s.Disabled, Stamp: s.Stamp, Node: s.Node}
	}
	err := h.st.PutCodeUseHints(hints)
	h.mu.Lock()
	if err != nil { // kept in memory: written at the next tick
		h.log.Warn("writing code-use hints", "err", err)
		for key, s := range batch {
			if cur, ok := h.pending[key]; !ok || s.Newer(cur) {
				h.pending[key] = s
			}
		}
	}
	h.flushing = nil
	h.flushes++
	h.mu.Unlock()
}

// UsedElsewhere implements policies.CodeHints: the fleet last said the
// code's use was spent, and this node holds none of it.
func (h *CodeHints) UsedElsewhere(_ context.Context, campaign, code string) bool {
	k := codeKey(campaign, code)
	if h.heldOf(k) > 0 {
		return false
	}
	s, ok, _ := h.hint(k)
	return ok && s.Disabled
}

var _ policies.CodeHints = (*CodeHints)(nil)
