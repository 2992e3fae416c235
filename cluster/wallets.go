package cluster

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// A wallet's points are spent only by the node whose file holds their
// lots. A redemption that finds too few here asks every live peer to move
// what it holds of the wallet, by durable moves that work as transfers of
// rights do (doc.go, # Loyalty wallets): debited and logged at the giver
// in one transaction, credited at most once at the receiver, resent until
// acknowledged.

// supplyWallet waits until this node's wallet of r's customer can pay for
// r's rewards, asking the peers to move points here, and reports whether
// it can by deadline.
func (rt *Rights) supplyWallet(ctx context.Context, r *policies.Redemption, deadline time.Time) bool {
	var need int64
	for _, rw := range r.Rewards {
		need += rw.Points
	}
	return rt.supplyPurse(ctx, r.CustomerID, need, func() (int64, error) {
		b, err := rt.st.Balances(ctx, r.CustomerID, r.CreatedAt, 24*time.Hour)
		return b.Balance, err
	}, deadline)
}

// supplyPurse waits until this node holds need of purse (a customer's
// wallet, or a gift card's balance under store.CardPurse), as have reads
// it, asking the peers to move theirs here, and reports whether it does
// by deadline.
func (rt *Rights) supplyPurse(ctx context.Context, purse string, need int64, have func() (int64, error), deadline time.Time) bool {
	k := limitKey{purse, limitWallet}
	asked := map[string]time.Time{}
	empty := 0
	for {
		news := rt.xfer.wait(k) // before reading, so no move is missed
		held, err := have()
		left := time.Until(deadline)
		wait := min(left, rt.cfg.RetryInterval)
		switch {
		case err != nil || left <= 0:
			return false
		case held >= need:
			return true
		case len(asked) == 0:
			if rt.askWallet(purse, need-held, asked) == 0 {
				return false // no peer to ask
			}
		default:
			// Every peer answered none, and none was in flight, twice a
			// retry apart: the fleet does not hold enough.
			if answered, final := rt.xfer.answers(k, asked); answered {
				if final {
					empty++
				}
				if empty >= 2 {
					return false
				}
				clear(asked) // ask again after a gossip round: a move may have been on its way
				wait = min(left, rt.cfg.PublishInterval)
			} else if overdue(asked, rt.cfg.RetryInterval) {
				// An ask or its answer may have been lost (asks are not
				// resent, moves are): ask every peer again.
				clear(asked)
				rt.askWallet(purse, need-held, asked)
			}
		}
		select {
		case <-news:
		case <-time.After(wait):
		case <-ctx.Done():
			return false
		case <-rt.stop:
			return false
		}
	}
}

// overdue reports whether an ask in asked went out d or longer ago.
func overdue(asked map[string]time.Time, d time.Duration) bool {
	for _, at := range asked {
		if time.Since(at) >= d {
			return true
		}
	}
	return false
}

// askWallet asks every live peer to move up to amount of customer's
// wallet here, records when in asked, and returns how many it asked.
func (rt *Rights) askWallet(customer string, amount int64, asked map[string]time.Time) int {
	now := time.Now()
	for _, to := range rt.others() {
		asked[to] = now
		rt.send(to, message{kind: kWalletAsk, node: rt.cfg.Name, campaign: customer, amount: amount})
	}
	return len(asked)
}

// giveWallet answers a peer's ask: it moves what it holds of the wallet,
// up to the amount asked. Holding nothing it stays silent: the asker
// stops at its deadline.
func (rt *Rights) giveWallet(m message) {
	move := rt.st.MoveOut
	if _, card := store.IsCardPurse(m.campaign); card {
		move = rt.moveCardOut // giftcards.go
	}
	id, mv, err := move(m.campaign, m.amount, m.node, rt.cfg.Name+"/"+rt.fileID, time.Now())
	if err != nil {
		rt.log.Warn("moving wallet points", "to", m.node, "err", err)
		return
	}
	if mv != nil {
		rt.sendMove(id, mv)
		return
	}
	var inFlight int64
	_ = rt.st.EachMoveOut(func(_ string, mv *store.WalletMove) error {
		if mv.Customer == m.campaign {
			inFlight += mv.Points()
		}
		return nil
	})
	rt.send(m.node, message{kind: kWalletNone, node: rt.cfg.Name, campaign: m.campaign, amount: inFlight})
}

func (rt *Rights) sendMove(id string, mv *store.WalletMove) {
	raw, err := json.Marshal(mv)
	if err != nil {
		return
	}
	rt.send(mv.To, message{kind: kWalletMove, node: rt.cfg.Name, id: id, chunks: [][]byte{raw}})
}

// takeWallet credits a move once and acknowledges every copy.
func (rt *Rights) takeWallet(m message) {
	var mv store.WalletMove
	if len(m.chunks) != 1 || json.Unmarshal(m.chunks[0], &mv) != nil || mv.Points() <= 0 {
		rt.log.Debug("dropping a malformed wallet move", "from", m.node)
		return
	}
	if _, err := rt.st.MoveIn(m.id, m.node, &mv, time.Now()); err != nil {
		rt.log.Warn("crediting wallet points", "from", m.node, "id", m.id, "err", err)
		return // not acknowledged: it comes again
	}
	rt.send(m.node, message{kind: kWalletAck, node: rt.cfg.Name, id: m.id})
	rt.xfer.denied(limitKey{mv.Customer, limitWallet}, m.node, mv.Points()) // news, not a final answer
}

// resendMoves sends again every move not acknowledged (retryLoop).
func (rt *Rights) resendMoves() {
	_ = rt.st.EachMoveOut(func(id string, mv *store.WalletMove) error {
		rt.sendMove(id, mv)
		return nil
	})
}

// rewardsExhausted reports whether a commit lacked wallet points; ok is
// false when a reward lost for a reason no peer can supply. A reward out
// of stock here is a limit's shortfall (Rights.shortfalls).
func rewardsExhausted(exhausted map[string]policies.Reason) (wallet, ok bool) {
	for k, why := range exhausted {
		if !strings.HasPrefix(k, "reward:") {
			continue
		}
		switch why {
		case policies.InsufficientPoints:
			wallet = true
		case policies.OutOfStock:
		default:
			return false, false
		}
	}
	return wallet, true
}
