package cluster

import (
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Gossip: what every node broadcasts (usage registers, kill switches,
// code-use hints) and the publish tick that drives the parts of a node.

// mergeGossip applies a usage or switch message; a new one is queued
// again so that it reaches nodes the sender's gossip did not (memberlist
// does not relay user broadcasts: serf re-queues on first receipt too).
func (n *Node) mergeGossip(m message, relay bool) {
	switch m.kind {
	case kUsage:
		if m.node == n.cfg.Name {
			return // our own registers come from our file
		}
		if n.usage.table.merge(m.campaign, m.node, m.c) && relay {
			n.queue.QueueBroadcast(&broadcast{name: "u/" + m.node + "/" + m.campaign, msg: m.encode(nil)})
		}
	case kCodeUse:
		k := limitKey{m.campaign, limitCode}
		if m.node != n.cfg.Name && n.hints.noteCodeUse(k, m.s) && relay {
			n.queue.QueueBroadcast(&broadcast{name: "c/" + m.campaign, msg: m.encode(nil)})
		}
	case kSwitch:
		n.sw.Merge(m.campaign, m.s) // announces it again when new
	}
}

func (n *Node) announceSwitch(campaign string, s switchState) {
	m := message{kind: kSwitch, node: n.cfg.Name, campaign: campaign, s: s}
	n.queue.QueueBroadcast(&broadcast{name: "s/" + campaign, msg: m.encode(nil)})
}

// snapshot is the full state for push/pull: every register and switch.
func (n *Node) snapshot() []message {
	var out []message
	n.usage.table.mu.RLock()
	for campaign, byNode := range n.usage.table.regs {
		for node, c := range byNode {
			out = append(out, message{kind: kUsage, node: node, campaign: campaign, c: c})
		}
	}
	n.usage.table.mu.RUnlock()
	for campaign, s := range n.sw.All() {
		out = append(out, message{kind: kSwitch, node: n.cfg.Name, campaign: campaign, s: s})
	}
	return out
}

// publishLoop gossips this node's changed registers, follows the active
// revision (metadata, minting), and asks for rights where they run low.
func (n *Node) publishLoop() {
	tick := time.NewTicker(n.cfg.PublishInterval)
	defer tick.Stop()
	var lastRev *policies.Revision
	var lastPrune time.Time
	for {
		select {
		case <-n.stop:
			return
		case <-tick.C:
		}
		n.lim.members.Store(int64(n.numMembers()))
		if rev := n.revision(); rev != lastRev {
			lastRev = rev
			n.revisionChanged()
		}
		n.followPeriods(&lastPrune) // periods.go
		n.usage.publish()
		n.rights.publishWallets()
		n.rights.prefetch()
		n.codes.announceCodes()
		n.codes.pullCodes()
		n.hints.flushCodeUse()
		n.stats.publish()
	}
}

func (n *Node) revisionChanged() {
	if n.cfg.Minter {
		if err := n.rights.mint(); err != nil {
			n.log.Error("minting rights", "err", err)
		}
		n.rights.forgetMints()
	}
	n.usage.markAllDirty()
	n.updateMeta()
}

// Follow mints (on the minter) and announces the active revision now,
// rather than at the next publish tick: promoedge serve calls it once the
// first bundle is active, before it serves.
func (n *Node) Follow() error {
	if n.cfg.Minter {
		if err := n.rights.mint(); err != nil {
			return err
		}
		if err := n.rights.mintPeriods(n.now()); err != nil {
			return err
		}
	}
	n.usage.markAllDirty()
	n.updateMeta()
	return nil
}
