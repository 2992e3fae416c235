package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
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

// peerShare is one peer's answer to a read: its share and, for a gift
// card's read with its ledger, its part of the card's ledger and the
// card's terms when it knows the card.
type peerShare struct {
	b    policies.Balances
	txs  []policies.GiftCardTx
	card *policies.GiftCard
}

// parseShare reads a kWalletShare's chunks: the share (JSON), then for a
// card's ledger read the ledger and, when the peer knows the card, the
// card (JSON).
func parseShare(m message) (peerShare, error) {
	var s peerShare
	if len(m.chunks) == 0 || len(m.chunks) > 3 {
		return s, fmt.Errorf("%w: a wallet share of %d parts", ErrBadMessage, len(m.chunks))
	}
	err := json.Unmarshal(m.chunks[0], &s.b)
	if err == nil && len(m.chunks) > 1 {
		err = json.Unmarshal(m.chunks[1], &s.txs)
	}
	if err == nil && len(m.chunks) > 2 {
		err = json.Unmarshal(m.chunks[2], &s.card)
	}
	if err != nil {
		return s, fmt.Errorf("%w: a wallet share: %v", ErrBadMessage, err)
	}
	return s, nil
}

// Shares implements policies.WalletPool.
func (rt *Rights) Shares(ctx context.Context, customer string, at time.Time, window time.Duration) (policies.Balances, error) {
	cs, err := rt.read(ctx, customer, at, window, false)
	return cs.Balance, err
}

// CardLedger implements policies.WalletPool.
func (rt *Rights) CardLedger(ctx context.Context, code string, at time.Time) (policies.CardShares, error) {
	return rt.read(ctx, policies.CardPurse(code), at, 0, true)
}

// read asks every live peer for its share of purse as of at (with its
// part of the card's ledger when ledger is set) and adds them up.
func (rt *Rights) read(ctx context.Context, purse string, at time.Time, window time.Duration, ledger bool) (policies.CardShares, error) {
	var out policies.CardShares
	peers := rt.others()
	if len(peers) == 0 {
		return out, nil
	}
	id := rt.peeks.newID(rt.cfg.Name)
	answers := rt.peeks.open(id, len(peers))
	defer rt.peeks.close(id)
	asked := counters{Spent: int64(window)}
	if ledger {
		asked.Redemptions = 1 // and the card's ledger
	}
	rt.sendTo(peers, message{kind: kWalletPeek, node: rt.cfg.Name, id: id, campaign: purse, amount: at.UnixNano(), c: asked})
	wait := rt.cfg.WalletReadTimeout
	if wait <= 0 {
		wait = 500 * time.Millisecond
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for got := 0; got < len(peers); got++ {
		select {
		case m := <-answers:
			s, err := parseShare(m)
			if err != nil {
				rt.log.Warn("a malformed wallet share", "from", m.node, "err", err)
				return out, policies.ErrWalletPartial
			}
			out.Balance = out.Balance.Add(s.b)
			out.Ledger = append(out.Ledger, s.txs...)
			if out.Card == nil {
				out.Card = s.card
			}
		case <-timer.C:
			return out, policies.ErrWalletPartial
		case <-ctx.Done():
			return out, ctx.Err()
		}
	}
	return out, nil
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
	chunks := [][]byte{raw}
	if code, card := store.IsCardPurse(m.campaign); card && m.c.Redemptions == 1 {
		c, txs, err := rt.st.GiftCardView(context.Background(), code)
		if err != nil && !errors.Is(err, policies.ErrUnknownCode) {
			rt.log.Warn("reading a gift card's ledger", "for", m.node, "err", err)
			return
		}
		if raw, err = json.Marshal(txs); err != nil {
			return
		}
		chunks = append(chunks, raw)
		if c != nil { // the card's terms, for a node it never reached
			if raw, err = json.Marshal(c); err != nil {
				return
			}
			chunks = append(chunks, raw)
		}
	}
	rt.send(m.node, message{kind: kWalletShare, node: rt.cfg.Name, id: m.id, chunks: chunks})
}

// sharedWallet hands a peer's share to the read waiting for it; a late
// one is dropped.
func (rt *Rights) sharedWallet(m message) { rt.peeks.deliver(m) }
