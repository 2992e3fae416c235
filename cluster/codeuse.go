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
func (n *Node) announceCodeUse(k limitKey, used bool) {
	n.hints.mu.Lock()
	n.hints.stamp = max(uint64(time.Now().UnixNano()), n.hints.stamp+1)
	s := switchState{Disabled: used, Stamp: n.hints.stamp, Node: n.cfg.Name}
	n.hints.mu.Unlock()
	n.noteCodeUse(k, s)
	if n.queue == nil {
		return
	}
	m := message{kind: kCodeUse, node: n.cfg.Name, campaign: k.Campaign, s: s}
	n.queue.QueueBroadcast(&broadcast{name: "c/" + k.Campaign, msg: m.encode(nil)})
}

// noteCodeUse keeps s if it is newer than the hint known for k, and
// reports whether it was.
func (n *Node) noteCodeUse(k limitKey, s switchState) bool {
	key := k
	for {
		cur, ok, gen := n.hint(key)
		if ok && !s.newer(cur) {
			return false
		}
		n.hints.mu.Lock()
		if n.hints.flushes != gen { // the file changed since it was read
			n.hints.mu.Unlock()
			continue
		}
		if m, ok := n.memHintLocked(key); ok && !s.newer(m) {
			n.hints.mu.Unlock()
			return false
		}
		n.hints.pending[key] = s
		n.hints.mu.Unlock()
		return true
	}
}

// hint is the newest hint known for key, and the flush count it was read
// at. The file is read without holding the lock (a flush that ends
// meanwhile makes it read again).
func (n *Node) hint(key limitKey) (switchState, bool, uint64) {
	for {
		n.hints.mu.Lock()
		s, ok := n.memHintLocked(key)
		gen := n.hints.flushes
		n.hints.mu.Unlock()
		if ok {
			return s, true, gen
		}
		campaign, code := splitCodeKey(key)
		h, found, _ := n.st.CodeUseHint(campaign, code)
		s = switchState{Disabled: h.Used, Stamp: h.Stamp, Node: h.Node}
		n.hints.mu.Lock()
		same := n.hints.flushes == gen
		n.hints.mu.Unlock()
		if same {
			return s, found, gen
		}
	}
}

// memHintLocked is the hint for key not yet in the file; n.hints.mu is
// held.
func (n *Node) memHintLocked(key limitKey) (switchState, bool) {
	if s, ok := n.hints.pending[key]; ok {
		return s, true
	}
	s, ok := n.hints.flushing[key]
	return s, ok
}

// flushCodeUse writes the pending hints to the file in one transaction.
func (n *Node) flushCodeUse() {
	n.hints.mu.Lock()
	if len(n.hints.pending) == 0 {
		n.hints.mu.Unlock()
		return
	}
	n.hints.flushing, n.hints.pending = n.hints.pending, map[limitKey]switchState{}
	batch := n.hints.flushing
	n.hints.mu.Unlock()
	hints := make(map[policies.RightsKey]store.CodeUseHint, len(batch))
	for k, s := range batch {
		hints[k.rights()] = store.CodeUseHint{Used: s.Disabled, Stamp: s.Stamp, Node: s.Node}
	}
	err := n.st.PutCodeUseHints(hints)
	n.hints.mu.Lock()
	if err != nil { // kept in memory: written at the next tick
		n.log.Warn("writing code-use hints", "err", err)
		for key, s := range batch {
			if cur, ok := n.hints.pending[key]; !ok || s.newer(cur) {
				n.hints.pending[key] = s
			}
		}
	}
	n.hints.flushing = nil
	n.hints.flushes++
	n.hints.mu.Unlock()
}

// UsedElsewhere implements policies.CodeHints: the fleet last said the
// code's use was spent, and this node holds none of it.
func (n *Node) UsedElsewhere(_ context.Context, campaign, code string) bool {
	k := codeKey(campaign, code)
	if n.heldOf(k) > 0 {
		return false
	}
	s, ok, _ := n.hint(k)
	return ok && s.Disabled
}

var _ policies.CodeHints = (*Node)(nil)
