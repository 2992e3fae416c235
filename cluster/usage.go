package cluster

import (
	"context"
	"sync"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

var _ policies.Usage = (*Node)(nil)

// usageTable is the usage CRDT: for each campaign, each node's register
// (its own usage and the rights it holds). A node writes only its own
// registers; a merge keeps the higher version per node, so merges commute
// and repeat harmlessly, and the cluster-wide usage is the sum of the
// registers.
type usageTable struct {
	mu   sync.RWMutex
	regs map[string]map[string]counters // campaign -> node -> register
}

func newUsageTable() *usageTable { return &usageTable{regs: map[string]map[string]counters{}} }

// merge keeps c for node if it is newer and reports whether it was.
func (t *usageTable) merge(campaign, node string, c counters) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	byNode := t.regs[campaign]
	if byNode == nil {
		byNode = map[string]counters{}
		t.regs[campaign] = byNode
	}
	if cur, ok := byNode[node]; ok && cur.Version >= c.Version {
		return false
	}
	byNode[node] = c
	return true
}

// others sums the usage that nodes other than self report.
func (t *usageTable) others(campaign, self string) (redemptions, spent int64) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for node, c := range t.regs[campaign] {
		if node != self {
			redemptions += c.Redemptions
			spent += c.Spent
		}
	}
	return redemptions, spent
}

// holders lists the nodes other than self that last said they hold rights
// of k, most first.
func (t *usageTable) holders(k limitKey, self string) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	type h struct {
		node string
		held int64
	}
	var hs []h
	for node, c := range t.regs[k.Campaign] {
		held := c.HeldCount
		if k.Limit == limitBudget {
			held = c.HeldBudget
		}
		if node != self && held > 0 {
			hs = append(hs, h{node, held})
		}
	}
	for i := 1; i < len(hs); i++ { // few nodes: insertion sort
		for j := i; j > 0 && hs[j].held > hs[j-1].held; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	out := make([]string, len(hs))
	for i := range hs {
		out[i] = hs[i].node
	}
	return out
}

// forget records that node said it holds no rights of k, until its next
// register says otherwise.
func (t *usageTable) forget(k limitKey, node string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.regs[k.Campaign][node]
	if !ok {
		return
	}
	if k.Limit == limitBudget {
		c.HeldBudget = 0
	} else {
		c.HeldCount = 0
	}
	t.regs[k.Campaign][node] = c
}

// Used implements policies.Usage: this node's own usage, read from its
// file, plus what every other node last gossiped. The customer's count is
// this node's (per_customer is exact per node).
func (n *Node) Used(ctx context.Context, campaign, customer string) (policies.Used, error) {
	u, err := n.st.Used(ctx, campaign, customer)
	if err != nil {
		return u, err
	}
	r, s := n.usage.others(campaign, n.cfg.Name)
	u.Redemptions += r
	u.Spent += s
	return u, nil
}

// mergeGossip applies a usage or switch message; a new one is queued
// again so that it reaches nodes the sender's gossip did not (memberlist
// does not relay user broadcasts: serf re-queues on first receipt too).
func (n *Node) mergeGossip(m message, relay bool) {
	switch m.kind {
	case kUsage:
		if m.node == n.cfg.Name {
			return // our own registers come from our file
		}
		if n.usage.merge(m.campaign, m.node, m.c) && relay {
			n.queue.QueueBroadcast(&broadcast{name: "u/" + m.node + "/" + m.campaign, msg: m.encode(nil)})
		}
	case kCodeUse:
		k := limitKey{m.campaign, limitCode}
		if m.node != n.cfg.Name && n.noteCodeUse(k, m.s) && relay {
			n.queue.QueueBroadcast(&broadcast{name: "c/" + m.campaign, msg: m.encode(nil)})
		}
	case kSwitch:
		if n.Switchboard != nil {
			n.Switchboard.merge(m.campaign, m.s) // announces it again when new
		}
	}
}

func (n *Node) announceSwitch(campaign string, s switchState) {
	if n.queue == nil {
		return
	}
	m := message{kind: kSwitch, node: n.cfg.Name, campaign: campaign, s: s}
	n.queue.QueueBroadcast(&broadcast{name: "s/" + campaign, msg: m.encode(nil)})
}

// snapshot is the full state for push/pull: every register and switch.
func (n *Node) snapshot() []message {
	var out []message
	n.usage.mu.RLock()
	for campaign, byNode := range n.usage.regs {
		for node, c := range byNode {
			out = append(out, message{kind: kUsage, node: node, campaign: campaign, c: c})
		}
	}
	n.usage.mu.RUnlock()
	if n.Switchboard != nil {
		for campaign, s := range n.Switchboard.all() {
			out = append(out, message{kind: kSwitch, node: n.cfg.Name, campaign: campaign, s: s})
		}
	}
	return out
}

// touch marks campaign's counters as changed; the publish loop gossips
// them. It runs inside commits, so it only takes a small lock.
func (n *Node) touch(campaign string) {
	n.dirtyMu.Lock()
	n.dirty[campaign] = struct{}{}
	n.dirtyMu.Unlock()
}

func (n *Node) markAllDirty() {
	_ = n.st.ViewFleet(func(f *store.FleetTx) error {
		return f.EachRights(func(k policies.RightsKey, _ policies.Rights) error {
			n.touch(keyOf(k).Campaign)
			return nil
		})
	})
	if rev := n.revision(); rev != nil {
		for _, c := range rev.Campaigns() {
			if c.Limits != (policies.Limits{}) {
				n.touch(c.ID)
			}
		}
	}
}

func (n *Node) revision() *policies.Revision {
	if n.rev == nil {
		return nil
	}
	return n.rev()
}

// publishLoop gossips this node's changed registers, follows the active
// revision (metadata, minting), and asks for rights where they run low.
func (n *Node) publishLoop() {
	tick := time.NewTicker(n.cfg.PublishInterval)
	defer tick.Stop()
	var lastRev *policies.Revision
	for {
		select {
		case <-n.stop:
			return
		case <-tick.C:
		}
		n.members.Store(int64(n.numMembers()))
		if rev := n.revision(); rev != lastRev {
			lastRev = rev
			n.revisionChanged()
		}
		n.publish()
		n.prefetch()
		n.announceCodes()
		n.pullCodes()
		n.flushCodeUse()
	}
}

func (n *Node) revisionChanged() {
	if n.cfg.Minter {
		if err := n.mint(); err != nil {
			n.log.Error("minting rights", "err", err)
		}
	}
	n.markAllDirty()
	n.updateMeta()
}

// updateMeta announces this node's metadata (revision, code log) again.
func (n *Node) updateMeta() {
	go func() { // it waits for the broadcast to go out; publishing must not
		if err := n.ml.UpdateNode(time.Second); err != nil && !n.stopping() {
			n.log.Warn("announcing the metadata", "err", err)
		}
	}()
}

// touchKey marks the campaign of a limit's rights changed; a code's
// rights are not gossiped.
func (n *Node) touchKey(k limitKey) {
	if k.Limit != limitCode {
		n.touch(k.Campaign)
	}
}

// publish reads the changed campaigns' counters from the file and queues
// them as broadcasts, each under its own name so a newer one replaces an
// older one still queued.
func (n *Node) publish() {
	n.repeat()
	n.dirtyMu.Lock()
	if len(n.dirty) == 0 {
		n.dirtyMu.Unlock()
		return
	}
	campaigns := make([]string, 0, len(n.dirty))
	for c := range n.dirty {
		campaigns = append(campaigns, c)
		n.echo[c] = echoTicks
	}
	clear(n.dirty)
	n.dirtyMu.Unlock()
	for _, campaign := range campaigns {
		c := n.ownCounters(campaign)
		n.usage.mu.Lock()
		if n.usage.regs[campaign] == nil {
			n.usage.regs[campaign] = map[string]counters{}
		}
		n.usage.regs[campaign][n.cfg.Name] = c
		n.usage.mu.Unlock()
		m := message{kind: kUsage, node: n.cfg.Name, campaign: campaign, c: c}
		n.queue.QueueBroadcast(&broadcast{name: "u/" + n.cfg.Name + "/" + campaign, msg: m.encode(nil)})
	}
}

// echoTicks is how many publish intervals after a change its register is
// announced once more, for a peer the first broadcast missed.
const echoTicks = 5

// repeat queues again, unchanged, the registers changed echoTicks ago.
func (n *Node) repeat() {
	var again []string
	n.dirtyMu.Lock()
	for c, ticks := range n.echo {
		if ticks <= 1 {
			again = append(again, c)
			delete(n.echo, c)
		} else {
			n.echo[c] = ticks - 1
		}
	}
	n.dirtyMu.Unlock()
	for _, campaign := range again {
		n.usage.mu.RLock()
		c, ok := n.usage.regs[campaign][n.cfg.Name]
		n.usage.mu.RUnlock()
		if ok {
			m := message{kind: kUsage, node: n.cfg.Name, campaign: campaign, c: c}
			n.queue.QueueBroadcast(&broadcast{name: "u/" + n.cfg.Name + "/" + campaign, msg: m.encode(nil)})
		}
	}
}

// ownCounters is this node's register for campaign, read now.
func (n *Node) ownCounters(campaign string) counters {
	u, _ := n.st.Used(context.Background(), campaign, "")
	count, budget := n.Held(campaign)
	return counters{Version: n.version.Add(1), Redemptions: u.Redemptions, Spent: u.Spent, HeldCount: count, HeldBudget: budget}
}
