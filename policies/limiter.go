package policies

import (
	"context"
	"fmt"
	"time"
)

// Limiter supplies the rights a redemption takes of its campaigns'
// limits. The committer calls it inside the redemption's own transaction,
// so rights are taken and given back atomically with the redemption. A
// committer without one compares this node's usage with the limits; a
// fleet supplies escrowed rights instead (package cluster).
type Limiter interface {
	// Check reports the limit that one more redemption of c for customer
	// would exceed, or "". used is the campaign's usage on this node as
	// the transaction sees it. It must not write.
	Check(e Escrow, c *RedeemedCampaign, customer string, used Used) (Reason, error)
	// Take consumes what Check found, in the same transaction.
	Take(e Escrow, c *RedeemedCampaign, customer string) error
	// Give returns what Take consumed (a rollback).
	Give(e Escrow, c *RedeemedCampaign, customer string) error
}

// Escrow is the rights of limits this node holds, as the committing
// transaction sees them: what a Limiter reads and writes.
type Escrow interface {
	// Rights is what this node holds and has consumed of one limit.
	Rights(k RightsKey) Rights
	// PutRights writes them.
	PutRights(k RightsKey, r Rights) error
	// OnCommit runs f once the transaction is durable.
	OnCommit(f func())
}

// Supplier brings the rights a redemption lacked: the engine asks it when
// a commit found too few here, and commits again if they came.
type Supplier interface {
	// Supply waits until this node holds what r needs of each limit that
	// exhausted it, and reports whether it does. false at once when a
	// rejection is not for want of rights (per_customer, a code used up
	// here), or when none came before the supplier's timeout.
	// since is when r was first committed: the supplier's timeout runs
	// from then, however often it is asked for r. exhausted may name
	// rewards (RewardKey) that the customer's wallet here could not pay:
	// a supplier that cannot bring wallet points returns false for them.
	Supply(ctx context.Context, r *Redemption, exhausted map[string]Reason, since time.Time) bool
}

// LimitKind is which limit rights are of. Its values are stored.
type LimitKind byte

// Kinds of limits that rights count.
const (
	LimitRedemptions LimitKind = 'n' // a campaign's limits.redemptions
	LimitBudget      LimitKind = 'b' // a campaign's limits.budget
	LimitCode        LimitKind = 'c' // the uses of one generated code
	// The per-period limits of one period (RightsKey.Period).
	LimitPeriodRedemptions LimitKind = 'N' // limits.per_period.redemptions
	LimitPeriodBudget      LimitKind = 'B' // limits.per_period.budget
)

// RightsKey names one limit: a campaign's, a generated code's (Code set,
// Kind LimitCode), or a campaign's in one period (Period set to the
// Period's Key, Kind LimitPeriodRedemptions or LimitPeriodBudget).
type RightsKey struct {
	Campaign string
	Code     string
	Period   string
	Kind     LimitKind
}

// IsPeriod reports whether k is a per-period limit's.
func (k RightsKey) IsPeriod() bool {
	return k.Kind == LimitPeriodRedemptions || k.Kind == LimitPeriodBudget
}

// Rights is what a node holds of one limit (may spend) and has consumed
// (redemptions standing).
type Rights struct {
	Held, Consumed int64
}

// supplied runs try until it succeeds or fails for a reason no other node
// can help with. When short says what try lacked here (the redemption
// describing it and the keys it exhausted, as a commit reports them), a
// fleet's node asks its Supplier to move that here and tries again; when
// the supplier gives up, try runs once more, so that what came late
// counts, and its error says so. The answer is try's last. Without a
// Supplier try runs once.
//
// It serves what is spent outside checkout (a claim, a wallet debit, a
// card's removal): a commit's own shortfalls go through Redeem's loop.
func (e *Engine) supplied(ctx context.Context, try func() error, short func(error) (*Redemption, map[string]Reason)) error {
	since := time.Now()
	for {
		err := try()
		if err == nil || e.supplier == nil {
			return err
		}
		r, exhausted := short(err)
		if r == nil {
			return err
		}
		if !e.supplier.Supply(ctx, r, exhausted, since) {
			if err := try(); err != nil {
				return fmt.Errorf("%w (counting what the fleet's other reachable nodes moved here in time)", err)
			}
			return nil
		}
	}
}
