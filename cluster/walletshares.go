package cluster

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// Pricing needs a customer's tier and balance with no network on the way,
// but a fleet's wallet is spread over the nodes that credited it
// (wallets.go). So each node tells the others its share of every wallet
// that changed here: the store lists the wallet in the change's own
// transaction (store.TakeWalletChanges), and every publish tick this node
// reads its share of each listed wallet and broadcasts it (kWalletSum).
// Each node keeps the other nodes' latest shares in memory (walletShares)
// and pricing adds them to its own (Gossiped). A share is as of when it
// was told: a lot turning active or expiring elsewhere shows at that
// node's next change of the wallet, and points moving between two nodes
// may count twice for a publish interval. Pricing only reads it; the
// commit decides what can be spent, from lots in its own file.

// share is one node's share of one wallet as it last told it.
type share struct {
	Version                  uint64 // unix ns when read: a newer one replaces it
	Balance, Pending, Earned int64
}

// maxWalletShares bounds the wallets whose shares a node keeps; past it a
// newly told wallet replaces an arbitrary one (its next change is told
// again).
const maxWalletShares = 1 << 20

// walletShares is the other nodes' shares, by customer then node.
type walletShares struct {
	mu sync.RWMutex
	m  map[string]map[string]share
}

func newWalletShares() *walletShares { return &walletShares{m: map[string]map[string]share{}} }

// put keeps s as node's share of customer's wallet unless it is older
// than the one kept.
func (w *walletShares) put(customer, node string, s share) {
	w.mu.Lock()
	defer w.mu.Unlock()
	byNode := w.m[customer]
	if byNode == nil {
		if len(w.m) >= maxWalletShares {
			for c := range w.m {
				delete(w.m, c)
				break
			}
		}
		byNode = map[string]share{}
		w.m[customer] = byNode
	}
	if old, ok := byNode[node]; !ok || s.Version > old.Version {
		byNode[node] = s
	}
}

// others sums every node's share but self's.
func (w *walletShares) others(customer, self string) policies.Balances {
	var b policies.Balances
	w.mu.RLock()
	defer w.mu.RUnlock()
	for node, s := range w.m[customer] {
		if node != self {
			b.Balance, b.Pending, b.Earned = b.Balance+s.Balance, b.Pending+s.Pending, b.Earned+s.Earned
		}
	}
	return b
}

// Gossiped implements policies.WalletPool.
func (rt *Rights) Gossiped(customer string) policies.Balances {
	return rt.shares.others(customer, rt.cfg.Name)
}

// publishWallets tells the fleet this node's share of each wallet that
// changed here since the last tick (gossip loop).
func (rt *Rights) publishWallets() {
	customers, err := rt.st.TakeWalletChanges(512)
	if err != nil {
		rt.log.Warn("reading the changed wallets", "err", err)
		return
	}
	if len(customers) == 0 {
		return
	}
	var window time.Duration
	if rev := rt.revision(); rev != nil && rev.Loyalty != nil {
		window = rev.Loyalty.Window()
	}
	now := time.Now()
	for _, c := range customers {
		b, err := rt.share(c, now, window)
		if err != nil {
			rt.log.Warn("reading a wallet's share", "err", err)
			continue
		}
		m := message{kind: kWalletSum, node: rt.cfg.Name, campaign: c,
			c: counters{Version: uint64(now.UnixNano()), Redemptions: b.Balance, Spent: b.Pending, HeldCount: b.Earned}}
		rt.broadcast("w/"+rt.cfg.Name+"/"+c, m)
	}
}

// share is this node's share of a wallet, or of a gift card's balance
// (its purse, policies.CardPurse), as of now.
func (rt *Rights) share(purse string, now time.Time, window time.Duration) (policies.Balances, error) {
	code, card := policies.IsCardPurse(purse)
	if !card {
		return rt.st.Balances(context.Background(), purse, now, window)
	}
	c, err := rt.st.GiftCard(context.Background(), code)
	switch {
	case errors.Is(err, policies.ErrUnknownCode): // none of it here any more
		return policies.Balances{}, nil
	case err != nil:
		return policies.Balances{}, err
	}
	return policies.Balances{Balance: c.Balance}, nil
}

// mergeShare keeps a peer's told share (memberlist's goroutine).
func (rt *Rights) mergeShare(m message) {
	if m.node == rt.cfg.Name {
		return
	}
	rt.shares.put(m.campaign, m.node, share{Version: m.c.Version, Balance: m.c.Redemptions, Pending: m.c.Spent, Earned: m.c.HeldCount})
}
