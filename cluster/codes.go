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
func (rt *Rights) codeUsedHere(c *policies.RedeemedCampaign) bool {
	code, err := rt.st.Code(context.Background(), c.Code)
	return err == nil && code.Uses >= code.MaxUses
}

// codeOrigin is the node that generated the code of k, if another.
func (rt *Rights) codeOrigin(k limitKey) string {
	_, code := splitCodeKey(k)
	if c, err := rt.st.Code(context.Background(), code); err == nil {
		return c.Origin
	}
	return ""
}

// Code replication.

// pullChunks is how many chunks one pull asks for.
const pullChunks = 8

// codeReplica keeps this node's copy of the codes other nodes generate:
// it announces its own code log and pulls the others' chunks in order.
type codeReplica struct {
	*base
	pulls pulls
}

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
func (cr *codeReplica) announceCodes() {
	seq := cr.st.CodeSeq()
	cr.pulls.mu.Lock()
	changed := seq != cr.pulls.seq
	cr.pulls.seq = seq
	cr.pulls.mu.Unlock()
	if changed {
		cr.updateMeta()
	}
}

func (cr *codeReplica) codeSeq() uint64 {
	cr.pulls.mu.Lock()
	defer cr.pulls.mu.Unlock()
	return cr.pulls.seq
}

// pullCodes asks every live node whose code log is ahead of what this one
// applied for the next chunks, unless a pull to it is still answering.
func (cr *codeReplica) pullCodes() {
	for _, m := range cr.ml.Members() {
		if m.Name == cr.cfg.Name {
			continue
		}
		md := cr.peers.meta(m.Name)
		if md.File == "" || md.File == cr.fileID || md.Codes == 0 {
			continue
		}
		cr.pullFrom(m.Name, md.File, md.Codes, false)
	}
}

// pullFrom asks node for the chunks of its file after the last applied,
// if remote says it has more. now skips the wait for a pull in progress.
func (cr *codeReplica) pullFrom(node, file string, remote uint64, now bool) {
	applied := cr.st.AppliedSeq(file)
	cr.pulls.mu.Lock()
	p := cr.pulls.last[file]
	remote = max(remote, p.remote)
	busy := !now && applied < p.upTo && time.Since(p.at) < cr.cfg.RetryInterval
	if applied >= remote || busy {
		cr.pulls.mu.Unlock()
		return
	}
	cr.pulls.last[file] = pullState{at: time.Now(), upTo: applied + pullChunks, remote: remote}
	cr.pulls.mu.Unlock()
	cr.send(node, message{kind: kPull, node: cr.cfg.Name, id: file, amount: int64(applied)})
}

// sendChunks answers a pull: the chunks of this node's log after the one
// asked, for the file asked (a pull for a file this node no longer has is
// not answered).
func (cr *codeReplica) sendChunks(m message) {
	if m.id != cr.fileID || m.amount < 0 {
		return
	}
	chunks, err := cr.st.CodeLog(uint64(m.amount), pullChunks)
	if err != nil {
		cr.log.Warn("reading the code log", "err", err)
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
	cr.send(m.node, message{kind: kCodes, node: cr.cfg.Name, id: cr.fileID, chunks: raw})
}

// applyChunks stores the chunks of another node's codes an answer to a
// pull brought, in order, and asks for the next ones at once.
func (cr *codeReplica) applyChunks(m message) {
	for _, raw := range m.chunks {
		ch, err := parseCodeChunk(raw)
		if err != nil {
			cr.log.Warn("dropping a malformed code chunk", "from", m.node, "err", err)
			return
		}
		applied, clashes, err := cr.st.ApplyCodes(m.node, m.id, ch)
		if err != nil {
			cr.log.Warn("applying codes", "from", m.node, "seq", ch.Seq, "err", err)
			return
		}
		if applied {
			cr.cfg.Observer.CodesLearnt(len(ch.Codes)-clashes, clashes)
		}
		if clashes > 0 {
			cr.log.Warn("codes generated on two nodes at once: each keeps its own", "from", m.node, "campaign", ch.Campaign, "codes", clashes)
		}
		if !applied {
			return // out of order or seen before: the next pull starts over
		}
	}
	cr.pulls.mu.Lock()
	p := cr.pulls.last[m.id]
	cr.pulls.mu.Unlock()
	cr.pullFrom(m.node, m.id, p.remote, true)
}
