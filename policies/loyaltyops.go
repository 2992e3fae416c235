package policies

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Sentinel errors of the loyalty endpoints.
var (
	// ErrUnknownReward: the program has no reward by that id.
	ErrUnknownReward = errors.New("unknown reward")
	// ErrCheckoutReward: an effect reward is spent at checkout, not claimed.
	ErrCheckoutReward = errors.New("an effect reward is spent at checkout (\"rewards\" in a redemption), not claimed")
)

// noProgram is what a wallet is read with when the bundle has no program:
// no tiers, a year's window.
var noProgram = &Program{Tiers: []Tier{{}}, WindowDays: 365, Timezone: time.UTC}

func (e *Engine) program() *Program {
	if rev := e.rev.Load(); rev != nil && rev.Loyalty != nil {
		return rev.Loyalty
	}
	return noProgram
}

// CheckCustomer refuses a customer id no wallet can have.
func CheckCustomer(field, id string) error {
	switch {
	case id == "":
		return badField(field, "is required")
	case len(id) > 256:
		return badField(field, "must be at most 256 bytes")
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return badField(field, "must not contain control characters")
	}
	return nil
}

func badField(field, msg string) error {
	return &RequestError{Problems: []*FieldError{{Field: field, Message: msg}}}
}

// Wallet is customer's wallet as of at (the zero time: now), with the
// program's tiers. An unknown customer has an empty wallet.
func (e *Engine) Wallet(ctx context.Context, customer string, at time.Time) (*WalletView, error) {
	if e.wallets == nil {
		return nil, ErrNoStore
	}
	if err := CheckCustomer("customer", customer); err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = e.now()
	}
	p := e.program()
	b, err := e.wallets.Balances(ctx, customer, at, p.Window())
	if err != nil {
		return nil, err
	}
	partial := false
	if e.pool != nil {
		others, err := e.pool.Shares(ctx, customer, at, p.Window())
		switch {
		case errors.Is(err, ErrWalletPartial):
			partial = true
		case err != nil:
			return nil, err
		}
		b = b.Add(others)
	}
	v := p.View(customer, b)
	v.Partial = partial
	return v, nil
}

// Transactions calls fn with customer's ledger, oldest first.
func (e *Engine) Transactions(ctx context.Context, customer string, fn func(*WalletTx) error) error {
	if e.wallets == nil {
		return ErrNoStore
	}
	if err := CheckCustomer("customer", customer); err != nil {
		return err
	}
	return e.wallets.Transactions(ctx, customer, fn)
}

// Adjust credits (an active lot on the program's expiry) or debits a
// wallet, once per key (on a fleet, once on any connected node:
// registry.go).
// A debit the lots here cannot pay is paid, on a fleet, with points the
// other nodes move here; the debit is refused (ErrInsufficientPoints,
// nothing debited) only when the reachable nodes hold too few.
func (e *Engine) Adjust(ctx context.Context, customer string, points int64, reason, key string) (*WalletTx, error) {
	if e.wallets == nil {
		return nil, ErrNoStore
	}
	if err := CheckCustomer("customer", customer); err != nil {
		return nil, err
	}
	switch {
	case key == "":
		return nil, badField("idempotency_key", "is required")
	case reason == "":
		return nil, badField("reason", "is required: why the wallet changes")
	case points == 0 || points > MaxPoints || points < -MaxPoints:
		return nil, badField("points", fmt.Sprintf("must be non-zero and within ±%d, got %d", int64(MaxPoints), points))
	}
	now := e.now()
	a := &Adjustment{Customer: customer, Points: points, Reason: reason, IdempotencyKey: key, At: now, Terms: e.program().Terms(now, false), Program: e.program()}
	var wt *WalletTx
	err := e.once(ctx, AdjustKeyScope, key, func() error {
		return e.supplied(ctx, func() (err error) {
			wt, err = e.wallets.Adjust(ctx, a)
			return err
		}, func(err error) (*Redemption, map[string]Reason) {
			if points > 0 || !errors.Is(err, ErrInsufficientPoints) {
				return nil, nil
			}
			// A debit the lots here cannot pay: a fleet's node asks its peers
			// to move the points here, as for a reward (DebitKey).
			return &Redemption{CustomerID: customer, CreatedAt: now, Rewards: []RedeemedReward{{Points: -points}}},
				map[string]Reason{DebitKey: InsufficientPoints}
		})
	})
	return wt, err
}

// ClaimReward spends points on a reward claimed outside checkout.
func (e *Engine) ClaimReward(ctx context.Context, customer, reward, key string) (*ClaimResult, error) {
	if e.wallets == nil {
		return nil, ErrNoStore
	}
	if err := CheckCustomer("customer", customer); err != nil {
		return nil, err
	}
	if key == "" {
		return nil, badField("idempotency_key", "is required")
	}
	rw := e.program().Rewards[reward]
	switch {
	case rw == nil:
		return nil, fmt.Errorf("%w: %q", ErrUnknownReward, reward)
	case rw.Effect != nil:
		return nil, fmt.Errorf("%w: %q", ErrCheckoutReward, reward)
	}
	c := &Claim{Customer: customer, Reward: rw, IdempotencyKey: key, At: e.now()}
	if rw.GiftCard != nil {
		gc, err := e.Revision().Campaign(rw.GiftCard.Campaign)
		if err != nil {
			return nil, err
		}
		terms, err := gc.Terms(rw.GiftCard.Amount, "")
		if err != nil {
			return nil, err
		}
		c.Card = &CardClaim{Campaign: gc.ID, Terms: *terms}
	}
	var res *ClaimResult
	err := e.once(ctx, ClaimKeyScope, key, func() error {
		return e.supplied(ctx, func() (err error) {
			res, err = e.wallets.Claim(ctx, c)
			return err
		}, func(err error) (*Redemption, map[string]Reason) {
			why := claimShortfall(err)
			if why == "" {
				return nil, nil
			}
			// Too few points or units here: a fleet's node asks its peers for
			// them as a redemption's commit does, then claims again.
			return &Redemption{CustomerID: customer, CreatedAt: c.At,
				Rewards: []RedeemedReward{{Reward: rw.ID, Points: rw.Points, Stock: rw.Stock}}}, map[string]Reason{RewardKey(rw.ID): why}
		})
	})
	return res, err
}

// DebitKey is a wallet debit's key in the exhausted map a Supplier is
// asked with: RewardKey(""), a reward's key naming no reward, the points
// alone.
const DebitKey = "reward:"

// claimShortfall is the reason a claim failed that peers may supply: the
// points or the stock's units held on another node.
func claimShortfall(err error) Reason {
	switch {
	case errors.Is(err, ErrInsufficientPoints):
		return InsufficientPoints
	case errors.Is(err, ErrOutOfStock):
		return OutOfStock
	}
	return ""
}
