package cluster

import (
	"context"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// A gift card's balance lives, like a wallet's points, in the file of one
// node at a time: the one that issued the card, until a redemption
// elsewhere asks for it. It moves by the wallets' durable moves (doc.go,
// # Loyalty wallets, and # Gift cards), under the card's purse key
// (store.CardPurse), which no customer id can equal.

// supplyCards waits until this node holds what r pays with each card its
// commit found short here, asking the peers to move the balances, and
// reports whether every one came by deadline. A card short for another
// reason, or with no peer holding it, is not supplied: the engine prices
// the cart again on what this node holds.
func (rt *Rights) supplyCards(ctx context.Context, r *policies.Redemption, exhausted map[string]policies.Reason, deadline time.Time) bool {
	for _, g := range r.GiftCards {
		switch exhausted[policies.GiftCardKey(g.Code)] {
		case "":
			continue
		case policies.GiftCardEmpty:
		default:
			return false
		}
		code := g.Code
		have := func() (int64, error) { return rt.st.CardBalance(code), nil }
		if !rt.supplyPurse(ctx, store.CardPurse(code), g.Amount, have, deadline) {
			return false
		}
	}
	return true
}

// moveCardOut is MoveOut for a card's purse: it moves what this node
// holds of the card, up to amount.
func (rt *Rights) moveCardOut(purse string, amount int64, to, idPrefix string, now time.Time) (string, *store.WalletMove, error) {
	code, _ := store.IsCardPurse(purse)
	return rt.st.MoveCardOut(code, amount, to, idPrefix, now)
}
