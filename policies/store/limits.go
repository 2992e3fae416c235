package store

import (
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/money"
)

// local is the Limiter of a store without one: this node's usage against
// the limits, so a lone sidecar needs no rights.
type local struct{}

var _ policies.Limiter = local{}

// Check implements policies.Limiter; a unique code is used up when its
// uses here reached its maximum. The store calls it with its own FleetTx.
func (local) Check(e policies.Escrow, c *policies.RedeemedCampaign, customer string, u policies.Used) (policies.Reason, error) {
	l := c.Limits
	switch {
	case c.UniqueCode && codeUsedUp(e.(*FleetTx).tx, c.Code):
		return policies.CodeUsed, nil
	case l.Redemptions > 0 && u.Redemptions+1 > l.Redemptions:
		return policies.LimitExhausted, nil
	case l.PerCustomer > 0 && (customer == "" || u.Customer+1 > l.PerCustomer):
		return policies.PerCustomerLimit, nil
	case l.Budget > 0 && money.Saturating(max(0, u.Spent), c.Amount) > l.Budget:
		return policies.BudgetExhausted, nil
	case pruned(c.Period, e.(*FleetTx).PrunedBefore()):
		// its counters are forgotten (PrunePeriods): counting anew would
		// let the period's limit be used again
		return policies.LimitExhausted, nil
	}
	return c.PeriodReason(customer, u, func(k policies.RightsKey, need int64) bool {
		used := u.PeriodRedemptions
		limit := c.Limits.PerPeriod.Redemptions
		if k.Kind == policies.LimitPeriodBudget {
			used, limit = max(0, u.PeriodSpent), c.Limits.PerPeriod.Budget
		}
		return money.Saturating(used, need) <= limit
	}), nil
}

// Take implements policies.Limiter; usage itself is written by the store.
func (local) Take(policies.Escrow, *policies.RedeemedCampaign, string) error { return nil }

// Give implements policies.Limiter.
func (local) Give(policies.Escrow, *policies.RedeemedCampaign, string) error { return nil }
