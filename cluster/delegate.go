package cluster

import (
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/memberlist"
)

// delegate receives memberlist's callbacks for a Node.
type delegate struct{ n *Node }

var (
	_ memberlist.Delegate      = (*delegate)(nil)
	_ memberlist.EventDelegate = (*delegate)(nil)
)

// meta is what every node tells about itself in memberlist's metadata.
type meta struct {
	Revision string `json:"rev,omitempty"`
	Version  string `json:"ver,omitempty"`
	File     string `json:"file,omitempty"`  // this node's file id
	Codes    uint64 `json:"codes,omitempty"` // the last chunk of its code log
	Minter   bool   `json:"minter,omitempty"`
}

// NodeMeta implements memberlist.Delegate.
func (d *delegate) NodeMeta(limit int) []byte {
	m := meta{Version: d.n.cfg.Version, File: d.n.fileID, Codes: d.n.codes.codeSeq(), Minter: d.n.cfg.Minter}
	if d.n.rev != nil {
		if r := d.n.rev(); r != nil {
			m.Revision = r.ID
		}
	}
	b, _ := json.Marshal(m)
	if len(b) > limit {
		return nil
	}
	return b
}

// NotifyMsg implements memberlist.Delegate: usage is merged at once and
// passed on; switches and transfers go to the inbound worker, as they
// write to disk.
func (d *delegate) NotifyMsg(b []byte) {
	m, err := decode(b)
	if err != nil {
		d.n.log.Debug("dropping a malformed message", "err", err)
		return
	}
	switch m.kind {
	case kUsage, kCodeUse: // map updates: done here
		d.n.mergeGossip(m, true)
	case kWalletSum:
		d.n.rights.mergeShare(m)
	default: // switches and transfers write to disk: not on memberlist's goroutine
		select {
		case d.n.inbound <- m:
		default: // full: the sender retries
		}
	}
}

// GetBroadcasts implements memberlist.Delegate.
func (d *delegate) GetBroadcasts(overhead, limit int) [][]byte {
	return d.n.queue.GetBroadcasts(overhead, limit)
}

// LocalState implements memberlist.Delegate: the whole usage table and
// every switch, for push/pull anti-entropy.
func (d *delegate) LocalState(bool) []byte { return encodeState(d.n.snapshot()) }

// MergeRemoteState implements memberlist.Delegate.
func (d *delegate) MergeRemoteState(buf []byte, _ bool) {
	msgs, err := decodeState(buf)
	if err != nil {
		d.n.log.Debug("dropping a malformed state", "err", err)
		return
	}
	for _, m := range msgs {
		d.n.mergeGossip(m, false)
	}
}

// NotifyJoin implements memberlist.EventDelegate.
func (d *delegate) NotifyJoin(node *memberlist.Node) {
	d.n.peers.set(node, "alive")
	d.n.remember(node)
	go d.n.checkMinters()           // it reads the members: not under memberlist's lock
	d.n.rights.xfer.wake(node.Name) // resend what it is owed now
	go d.n.resendCancels(node.Name) // what it missed while away (triggers.go)
	if node.Name != d.n.cfg.Name {
		go d.n.stats.sendAll(node.Name) // reads the file: not on memberlist's goroutine
	}
}

// NotifyLeave implements memberlist.EventDelegate. Memberlist passes the
// node as it was (Node.State is not updated), so a node that left and one
// that failed both show as dead; the reconnect loop tries both.
func (d *delegate) NotifyLeave(node *memberlist.Node) { d.n.peers.set(node, "dead") }

// NotifyUpdate implements memberlist.EventDelegate.
func (d *delegate) NotifyUpdate(node *memberlist.Node) {
	d.n.peers.set(node, "alive")
	d.n.remember(node)
	d.n.checkMinters()
}

// broadcast is one gossip message; a newer one with the same name
// replaces it in the queue.
type broadcast struct {
	name string
	msg  []byte
}

func (b *broadcast) Invalidates(memberlist.Broadcast) bool { return false }
func (b *broadcast) Name() string                          { return b.name }
func (b *broadcast) Message() []byte                       { return b.msg }
func (b *broadcast) Finished()                             {}

// peerTable remembers every node ever seen, with its last address and
// state, so transfers can be resent and dead nodes rejoined.
type peerTable struct {
	mu    sync.RWMutex
	peers map[string]*Member
	nodes map[string]memberlist.Node
	metas map[string]meta
}

// Member is a node as GET /v1/cluster shows it.
type Member struct {
	Name     string    `json:"name"`
	Addr     string    `json:"addr"`
	State    string    `json:"state"` // alive, suspect, dead (failed or left)
	Revision string    `json:"bundle_revision,omitempty"`
	Version  string    `json:"version,omitempty"`
	Since    time.Time `json:"since"`
	Self     bool      `json:"self,omitempty"`
	// Minter says the node creates limit rights: one node of a cluster
	// should (see Caveats in doc.go).
	Minter bool `json:"minter,omitempty"`
}

func newPeerTable() *peerTable {
	return &peerTable{peers: map[string]*Member{}, nodes: map[string]memberlist.Node{}, metas: map[string]meta{}}
}

func (p *peerTable) set(node *memberlist.Node, state string) {
	var m meta
	_ = json.Unmarshal(node.Meta, &m)
	p.mu.Lock()
	defer p.mu.Unlock()
	prev := p.peers[node.Name]
	since := time.Now()
	if prev != nil && prev.State == state {
		since = prev.Since
	}
	p.peers[node.Name] = &Member{Name: node.Name, Addr: node.Address(), State: state, Revision: m.Revision, Version: m.Version, Since: since, Minter: m.Minter}
	p.nodes[node.Name] = *node
	p.metas[node.Name] = m
}

// meta is the last metadata name announced.
func (p *peerTable) meta(name string) meta {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.metas[name]
}

// node is the last known address of name.
func (p *peerTable) node(name string) (memberlist.Node, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	nd, ok := p.nodes[name]
	return nd, ok
}

// dead lists nodes last seen failed (not those that left).
func (p *peerTable) dead() []memberlist.Node {
	p.mu.RLock()
	defer p.mu.RUnlock()
	var out []memberlist.Node
	for name, m := range p.peers {
		if m.State == "dead" {
			out = append(out, p.nodes[name])
		}
	}
	return out
}

// Members lists every node this one knows, itself included, by name.
func (n *Node) Members() []Member {
	live := map[string]string{}
	for _, m := range n.ml.Members() {
		st := "alive"
		if m.State == memberlist.StateSuspect {
			st = "suspect"
		}
		live[m.Name] = st
	}
	n.peers.mu.RLock()
	out := make([]Member, 0, len(n.peers.peers))
	for _, m := range n.peers.peers {
		v := *m
		if st, ok := live[v.Name]; ok {
			v.State = st
		}
		v.Self = v.Name == n.cfg.Name
		out = append(out, v)
	}
	n.peers.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Minters lists the members that announce they mint limit rights: more
// than one means limits were (or will be) minted more than once.
func (n *Node) Minters() []string {
	var out []string
	n.peers.mu.RLock()
	for _, m := range n.peers.peers {
		if m.Minter && m.State != "dead" {
			out = append(out, m.Name)
		}
	}
	n.peers.mu.RUnlock()
	sort.Strings(out)
	return out
}

// checkMinters logs an error, once per set of minters, when more than one
// node mints: two clusters each started from its own seed and joined, or
// --cluster-minter given differently. Each minted the limits, so a limit
// can be used up to once per minter.
func (n *Node) checkMinters() {
	ms := n.Minters()
	if len(ms) < 2 {
		return
	}
	key := strings.Join(ms, ",")
	if old := n.warnedMinters.Swap(&key); old != nil && *old == key {
		return
	}
	n.log.Error("more than one node mints limit rights: each minted every limit, so limits can be exceeded up to that many times; give every node the same --cluster-minter", "minters", ms)
}
