package cluster

import (
	"github.com/promoedge/promoedge/policies"
)

// rights converts k to the store's and the domain's name of a limit.
func (k limitKey) rights() policies.RightsKey {
	if k.Limit == limitCode {
		campaign, code := splitCodeKey(k)
		return policies.RightsKey{Campaign: campaign, Code: code, Kind: policies.LimitCode}
	}
	if campaign, period, ok := k.periodOf(); ok {
		return policies.RightsKey{Campaign: campaign, Period: period, Kind: policies.LimitKind(k.Limit)}
	}
	return policies.RightsKey{Campaign: k.Campaign, Kind: policies.LimitKind(k.Limit)}
}

// keyOf is rights' inverse.
func keyOf(r policies.RightsKey) limitKey {
	if r.Kind == policies.LimitCode {
		return codeKey(r.Campaign, r.Code)
	}
	if r.IsPeriod() {
		return periodLimitKey(r.Campaign, r.Period, byte(r.Kind))
	}
	return limitKey{r.Campaign, byte(r.Kind)}
}

// rights is what this node holds of one limit and what it has consumed.
type rights = policies.Rights

func getRights(e policies.Escrow, k limitKey) rights { return e.Rights(k.rights()) }

func putRights(e policies.Escrow, k limitKey, r rights) error { return e.PutRights(k.rights(), r) }
