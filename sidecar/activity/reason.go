package activity

import "github.com/promoedge/promoedge/policies"

// reasons are the rejection reasons counted, in the order of docs/api.md#reason-order, and then
// "other" for a reason this package does not know (so a reason added to
// policies is counted somewhere until it is added here; a test checks
// that none is missing).
var reasons = [...]policies.Reason{
	policies.Disabled, policies.NotStarted, policies.Expired,
	policies.CodeRequired, policies.CodeInvalid, policies.CodeUsed, policies.CurrencyMismatch,
	policies.NotSignedIn, policies.ReferralSelf, policies.ReferralNotNew, policies.ReferralLimit,
	policies.RuleFailed, policies.RuleError, policies.Holdout,
	policies.LimitExhausted, policies.PerCustomerLimit, policies.BudgetExhausted,
	policies.ExcludedByStacker, policies.GiftCardEmpty, other,
}

// other is the bucket of reasons missing from reasons.
const other policies.Reason = "other"

// reasonIndex is r's index in reasons. A switch, not a map: it runs once
// per rejected campaign on the evaluate path, where a bundle of 1,000
// campaigns rejects hundreds per request.
func reasonIndex(r policies.Reason) int {
	switch r {
	case policies.Disabled:
		return 0
	case policies.NotStarted:
		return 1
	case policies.Expired:
		return 2
	case policies.CodeRequired:
		return 3
	case policies.CodeInvalid:
		return 4
	case policies.CodeUsed:
		return 5
	case policies.CurrencyMismatch:
		return 6
	case policies.NotSignedIn:
		return 7
	case policies.ReferralSelf:
		return 8
	case policies.ReferralNotNew:
		return 9
	case policies.ReferralLimit:
		return 10
	case policies.RuleFailed:
		return 11
	case policies.RuleError:
		return 12
	case policies.Holdout:
		return 13
	case policies.LimitExhausted:
		return 14
	case policies.PerCustomerLimit:
		return 15
	case policies.BudgetExhausted:
		return 16
	case policies.ExcludedByStacker:
		return 17
	case policies.GiftCardEmpty:
		return 18
	}
	return len(reasons) - 1
}
