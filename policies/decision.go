package policies

// Reason says why a campaign or a code did not apply. The set is fixed
// (docs/api.md#rejection-reasons) and Reasons lists it in the order the checks run.
type Reason string

// Rejection reasons.
const (
	Disabled          Reason = "disabled"
	NotStarted        Reason = "not_started"
	Expired           Reason = "expired"
	CodeRequired      Reason = "code_required"
	CodeInvalid       Reason = "code_invalid"
	CodeUsed          Reason = "code_used"
	CurrencyMismatch  Reason = "currency"
	RuleFailed        Reason = "rule"
	RuleError         Reason = "error"
	LimitExhausted    Reason = "limit_exhausted"
	PerCustomerLimit  Reason = "per_customer_limit"
	BudgetExhausted   Reason = "budget_exhausted"
	ExcludedByStacker Reason = "excluded"
	// Holdout: the customer is in an experiment's holdout variant (SPEC §11).
	Holdout Reason = "holdout"
	// Reasons of rewards (SPEC §7).
	InsufficientPoints Reason = "insufficient_points"
	RewardUnknown      Reason = "reward_unknown"
	OutOfStock         Reason = "out_of_stock"
	NotSignedIn        Reason = "not_signed_in"
)

// Reasons is every reason a campaign is rejected with, in check order:
// a referral's gate comes after the currency and before the rule, a gift
// card's after everything (rewards' reasons are a reward's, not a
// campaign's).
var Reasons = []Reason{Disabled, NotStarted, Expired, CodeRequired, CodeInvalid, CodeUsed,
	CurrencyMismatch, NotSignedIn, ReferralSelf, ReferralNotNew, ReferralLimit,
	RuleFailed, RuleError, Holdout, LimitExhausted, PerCustomerLimit, BudgetExhausted, ExcludedByStacker, GiftCardEmpty}

// Decision is the priced cart: what applied, what did not and why.
type Decision struct {
	Currency         string       `json:"currency"`
	BundleRevision   string       `json:"bundle_revision"`
	Subtotal         int64        `json:"subtotal"`
	Shipping         int64        `json:"shipping"`
	Discount         int64        `json:"discount"`
	ShippingDiscount int64        `json:"shipping_discount"`
	Total            int64        `json:"total"`
	Applied          []Applied    `json:"applied"`
	FreeItems        []FreeItem   `json:"free_items"`
	Points           []PointAward `json:"points"`
	Rejected         []Rejection  `json:"rejected"`
	Items            []ItemTotal  `json:"items"`
	// GiftCards are what the presented gift cards pay, in order; AmountDue
	// is Total less what they pay (SPEC §8).
	GiftCards []GiftCardPayment `json:"gift_cards"`
	AmountDue int64             `json:"amount_due"`

	revision *Revision // the revision that priced it
}

// Applied is one effect of one campaign that changed the cart.
type Applied struct {
	Campaign string `json:"campaign,omitempty"`
	Reward   string `json:"reward,omitempty"` // a loyalty reward's effect, in place of a campaign
	Code     string `json:"code,omitempty"`
	// Variant is the experiment's variant the customer was given (SPEC §11).
	Variant string     `json:"variant,omitempty"`
	Effect  EffectType `json:"effect"`
	Amount  int64      `json:"amount"`
	// PointsSpent is what a reward cost (on its first effect).
	PointsSpent int64        `json:"points_spent,omitempty"`
	Lines       []LineAmount `json:"lines,omitempty"`
	// ReducedFrom is the amount the effect asked for when less than that
	// was left to discount (docs/api.md#money: nothing goes below zero).
	ReducedFrom int64 `json:"reduced_from,omitempty"`
}

// LineAmount is the share of an amount that fell on one line.
type LineAmount struct {
	ID     string `json:"id"`
	Amount int64  `json:"amount"`
}

// FreeItem is an item the checkout should add at price 0.
type FreeItem struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	Campaign string `json:"campaign"`
}

// PointAward is loyalty points a campaign grants, credited on redeem.
type PointAward struct {
	Campaign string `json:"campaign"`
	Points   int64  `json:"points"`
}

// Rejection is a campaign or a presented code that did not apply.
type Rejection struct {
	Campaign string `json:"campaign,omitempty"`
	Reward   string `json:"reward,omitempty"`
	Code     string `json:"code,omitempty"`
	// Variant is the experiment's variant of a holdout rejection.
	Variant string   `json:"variant,omitempty"`
	Reason  Reason   `json:"reason"`
	Details []string `json:"details,omitempty"`
}

// ItemTotal is one line after discounts.
type ItemTotal struct {
	ID       string `json:"id"`
	Subtotal int64  `json:"subtotal"`
	Discount int64  `json:"discount"`
	Total    int64  `json:"total"`
}
