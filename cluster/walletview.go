package cluster

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// A wallet's lots are in the files of the nodes that credited them or
// that they moved to (wallets.go), so a whole wallet is the sum of every
// node's share. GET /v1/wallets asks each live peer for its share as of
// the same time (kWalletPeek), and the peer answers from its file
// (kWalletShare). A peer that does not answer within
// Config.WalletReadTimeout leaves the answer marked partial. Points in
// flight between two nodes are in neither share until the receiver
// credits them, so a read during a move may show fewer points, never
// more.

var _ policies.WalletPool = (*Rights)(nil)

// peeks are the wallet reads waiting for their peers' shares.
type peeks struct {
	seq     atomic.Uint64
	mu      sync.Mutex
	waiting map[string]chan policies.Balances
}

// Shares implements policies.WalletPool.
func (rt *Rights) Shares(ctx context.Context, customer string, at time.Time, window time.Duration) (policies.Balances, error) {
	var sum policies.Balances
	var peers []string
	for _, m := range rt.ml.Members() {
		if m.Name != rt.cfg.Name {
			peers = append(peers, m.Name)
		}
	}
	if len(peers) == 0 {
		return sum, nil
	}
	id := rt.cfg.Name + "/" + strconv.FormatUint(rt.peeks.seq.Add(1), 10)
	answers := make(chan policies.Balances, len(peers))
	rt.peeks.mu.Lock()
	rt.peeks.waiting[id] = answers
	rt.peeks.mu.Unlock()
	defer func() {
		rt.peeks.mu.Lock()
		delete(rt.peeks.waiting, id)
		rt.peeks.mu.Unlock()
	}()
	for _, p := range peers {
		rt.send(p, message{kind: kWalletPeek, node: rt.cfg.Name, id: id, campaign: customer, amount: at.UnixNano(), c: counters{Spent: int64(window)}})
	}
	wait := rt.cfg.WalletReadTimeout
	if wait <= 0 {
		wait = 500 * time.Millisecond
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for got := 0; got < len(peers); got++ {
		select {
		case b := <-answers:
			sum = sum.Add(b)
		case <-timer.C:
			return sum, policies.ErrWalletPartial
		case <-ctx.Done():
			return sum, ctx.Err()
		}
	}
	return sum, nil
}

// shareWallet answers a peer's kWalletPeek with this file's share.
func (rt *Rights) shareWallet(m message) {
	b, err := rt.share(m.campaign, time.Unix(0, m.amount), time.Duration(m.c.Spent)) // a wallet's or a card's (walletshares.go)
	if err != nil {
		rt.log.Warn("reading a wallet's share", "for", m.node, "err", err)
		return // the asker's answer is partial
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return
	}
	rt.send(m.node, message{kind: kWalletShare, node: rt.cfg.Name, id: m.id, chunks: [][]byte{raw}})
}

// sharedWallet hands a peer's share to the read waiting for it; a late
// one is dropped.
func (rt *Rights) sharedWallet(m message) {
	var b policies.Balances
	if len(m.chunks) != 1 || json.Unmarshal(m.chunks[0], &b) != nil {
		rt.log.Warn("a malformed wallet share", "from", m.node)
		return
	}
	rt.peeks.mu.Lock()
	ch := rt.peeks.waiting[m.id]
	rt.peeks.mu.Unlock()
	if ch != nil {
		select {
		case ch <- b:
		default:
		}
	}
}
