package cluster

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Generated codes are shared by the fleet in two parts.
//
// The code itself (its campaign and maximum uses) is replicated: every
// node logs the codes it generates in chunks (store.CodeChunk, sent as
// codechunk.go encodes them), announces
// the number of its last chunk in its memberlist metadata, and the other
// nodes pull the chunks they miss, in order, over the reliable channel
// (kPull, kCodes). So every node knows every code within seconds, and a
// node that was away catches up from where it stopped.
//
// The code's uses are a limit like any other (limitCode): rights, held by
// one node at a time, moved by the same durable transfers. The node that
// generated a code holds its uses from the start without writing them: a
// code of its own with no rights entry holds MaxUses−Uses (minted with the
// code, in the same transaction; store.FleetTx.Rights reads them so).
// Codes learnt from another node hold nothing until their rights are
// moved here, so each use exists once in the fleet.

// codeKey names the uses of one generated code of campaign.
func codeKey(campaign, code string) limitKey {
	return limitKey{Campaign: campaign + "\x00" + code, Limit: limitCode}
}

// splitCodeKey returns the campaign and code of a codeKey.
func splitCodeKey(k limitKey) (campaign, code string) {
	campaign, code, _ = strings.Cut(k.Campaign, "\x00")
	return campaign, code
}

// codeUsedHere reports whether the code's uses were all spent on this
// node: then no other node can have any to give.
func (n *Node) codeUsedHere(c *policies.RedeemedCampaign) bool {
	code, err := n.st.Code(context.Background(), c.Code)
	return err == nil && code.Uses >= code.MaxUses
}

// codeOrigin is the node that generated the code of k, if another.
func (n *Node) codeOrigin(k limitKey) string {
	_, code := splitCodeKey(k)
	if c, err := n.st.Code(context.Background(), code); err == nil {
		return c.Origin
	}
	return ""
}

// Code replication.

// pullChunks is how many chunks one pull asks for.
const pullChunks = 8

// pulls remembers the pull in progress from each source file.
type pulls struct {
	mu   sync.Mutex
	last map[string]pullState // source file id -> the last pull
	seq  uint64               // this node's last chunk, as announced
}

type pullState struct {
	at     time.Time
	upTo   uint64 // the chunks that pull asked for end here
	remote uint64 // the source's last chunk as it announced it
}

// announceCodes puts this node's last chunk in its metadata when it grew.
func (n *Node) announceCodes() {
	seq := n.st.CodeSeq()
	n.codes.mu.Lock()
	changed := seq != n.codes.seq
	n.codes.seq = seq
	n.codes.mu.Unlock()
	if changed {
		n.updateMeta()
	}
}

func (n *Node) codeSeq() uint64 {
	n.codes.mu.Lock()
	defer n.codes.mu.Unlock()
	return n.codes.seq
}

// pullCodes asks every live node whose code log is ahead of what this one
// applied for the next chunks, unless a pull to it is still answering.
func (n *Node) pullCodes() {
	for _, m := range n.ml.Members() {
		if m.Name == n.cfg.Name {
			continue
		}
		md := n.peers.meta(m.Name)
		if md.File == "" || md.File == n.fileID || md.Codes == 0 {
			continue
		}
		n.pullFrom(m.Name, md.File, md.Codes, false)
	}
}

// pullFrom asks node for the chunks of its file after the last applied,
// if remote says it has more. now skips the wait for a pull in progress.
func (n *Node) pullFrom(node, file string, remote uint64, now bool) {
	applied := n.st.AppliedSeq(file)
	n.codes.mu.Lock()
	p := n.codes.last[file]
	remote = max(remote, p.remote)
	busy := !now && applied < p.upTo && time.Since(p.at) < n.cfg.RetryInterval
	if applied >= remote || busy {
		n.codes.mu.Unlock()
		return
	}
	n.codes.last[file] = pullState{at: time.Now(), upTo: applied + pullChunks, remote: remote}
	n.codes.mu.Unlock()
	n.send(node, message{kind: kPull, node: n.cfg.Name, id: file, amount: int64(applied)})
}

// sendChunks answers a pull: the chunks of this node's log after the one
// asked, for the file asked (a pull for a file this node no longer has is
// not answered).
func (n *Node) sendChunks(m message) {
	if m.id != n.fileID || m.amount < 0 {
		return
	}
	chunks, err := n.st.CodeLog(uint64(m.amount), pullChunks)
	if err != nil {
		n.log.Warn("reading the code log", "err", err)
		return
	}
	if len(chunks) == 0 {
		return
	}
	raw := make([][]byte, len(chunks))
	for i, ch := range chunks {
		raw[i] = appendCodeChunk(nil, ch)
	}
	// One message: the chunks arrive in order.
	n.send(m.node, message{kind: kCodes, node: n.cfg.Name, id: n.fileID, chunks: raw})
}

// applyChunks stores the chunks of another node's codes an answer to a
// pull brought, in order, and asks for the next ones at once.
func (n *Node) applyChunks(m message) {
	for _, raw := range m.chunks {
		ch, err := parseCodeChunk(raw)
		if err != nil {
			n.log.Warn("dropping a malformed code chunk", "from", m.node, "err", err)
			return
		}
		applied, clashes, err := n.st.ApplyCodes(m.node, m.id, ch)
		if err != nil {
			n.log.Warn("applying codes", "from", m.node, "seq", ch.Seq, "err", err)
			return
		}
		if applied {
			n.cfg.Observer.CodesLearnt(len(ch.Codes)-clashes, clashes)
		}
		if clashes > 0 {
			n.log.Warn("codes generated on two nodes at once: each keeps its own", "from", m.node, "campaign", ch.Campaign, "codes", clashes)
		}
		if !applied {
			return // out of order or seen before: the next pull starts over
		}
	}
	n.codes.mu.Lock()
	p := n.codes.last[m.id]
	n.codes.mu.Unlock()
	n.pullFrom(m.node, m.id, p.remote, true)
}
