package policies

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// readWallet reads a signed-in customer's wallet when the revision has a
// loyalty program, for the rules (input.wallet) and the rewards. With
// wallets, input.wallet is only ever the store's: one the request sent is
// dropped (an anonymous cart cannot claim a tier). Without (price tests,
// promoctl eval) the request's stands in for it.
func readWallet(ctx context.Context, ev *evaluation) error {
	if ev.wallets != nil {
		delete(ev.req.Input, "wallet")
	}
	p := ev.rev.Loyalty
	if p == nil || ev.wallets == nil || ev.req.Customer.ID == "" {
		return nil
	}
	b, err := ev.wallets.Balances(ctx, ev.req.Customer.ID, ev.req.Context.Now, p.Window())
	if err != nil {
		return fmt.Errorf("reading the wallet of %s: %w", ev.req.Customer.ID, err)
	}
	if ev.pool != nil {
		b = b.Add(ev.pool.Gossiped(ev.req.Customer.ID)) // a fleet's other shares, as last gossiped
	}
	ev.wallet = &b
	tier, _ := p.TierOf(b.Earned)
	num := func(n int64) json.Number { return json.Number(strconv.FormatInt(n, 10)) }
	ev.req.Input["wallet"] = map[string]any{
		"balance": num(b.Balance), "pending": num(b.Pending), "earned": num(b.Earned), "tier": tier.Name,
	}
	return nil
}

// applyRewards applies the rewards the request asks for, after every
// campaign, on what they left, each paid with points of the balance in
// the order asked.
func applyRewards(ctx context.Context, ev *evaluation) error {
	var spent int64
	for _, id := range ev.req.Rewards {
		rw, why, details := ev.reward(id, spent)
		if why != "" {
			ev.addRejection(Rejection{Reward: id, Reason: why, Details: details}, rewardRank(ev))
			continue
		}
		if rw.Stock > 0 && ev.wallets != nil {
			claimed, err := ev.wallets.Claimed(ctx, id)
			if err != nil {
				return fmt.Errorf("reading the stock of %s: %w", id, err)
			}
			if claimed-ev.held.units(id) >= rw.Stock {
				ev.addRejection(Rejection{Reward: id, Reason: OutOfStock}, rewardRank(ev))
				continue
			}
		}
		spent += rw.Points
		ev.applyReward(rw)
	}
	return nil
}

// reward finds reward id and says why it cannot be had, if it cannot.
func (ev *evaluation) reward(id string, spent int64) (*Reward, Reason, []string) {
	p := ev.rev.Loyalty
	var rw *Reward
	if p != nil {
		rw = p.Rewards[id]
	}
	switch {
	case rw == nil:
		return nil, RewardUnknown, nil
	case rw.Effect == nil:
		return nil, RewardUnknown, []string{"a donation reward is claimed with POST /v1/wallets/{customer}/rewards, not at checkout"}
	case ev.req.Customer.ID == "":
		return nil, NotSignedIn, nil
	case ev.forced[RewardKey(id)] != "":
		return nil, ev.forced[RewardKey(id)], []string{"the wallet changed while redeeming"}
	case ev.wallet == nil:
		return nil, InsufficientPoints, nil
	case ev.wallet.Balance+ev.held.points()-spent < rw.Points && !ev.pooled:
		return nil, InsufficientPoints, nil
	}
	return rw, "", nil
}

// applyReward prices a reward's effect on the cart as a campaign of its
// own would be, listed under the reward.
func (ev *evaluation) applyReward(rw *Reward) {
	cd := &candidate{c: &Campaign{ID: rw.ID}, effects: []Effect{*rw.Effect}}
	o := ev.cart.try(cd)
	for i := range o.applied {
		a := &o.applied[i]
		a.Reward, a.Campaign = a.Campaign, ""
	}
	if len(o.applied) > 0 {
		o.applied[0].PointsSpent = rw.Points
	}
	ev.cart.commit(o, ev.dec)
}

// addReward records what a reward's first effect cost in r.
func addReward(r *Redemption, p *Program, a *Applied) {
	if a.PointsSpent == 0 || p == nil || p.Rewards[a.Reward] == nil {
		return
	}
	r.Rewards = append(r.Rewards, RedeemedReward{Reward: a.Reward, Points: a.PointsSpent, Stock: p.Rewards[a.Reward].Stock})
}

// rewardRank puts a reward's rejection after every campaign's, in the
// order the rewards were asked (the sort is stable).
func rewardRank(ev *evaluation) int32 { return int32(len(ev.rev.rank)) }
