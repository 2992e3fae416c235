package policies

import "context"

// Rules decides the eligibility of campaigns for one request. The Rego and
// wasm evaluators implement it; a Revision routes each campaign to the one
// its document names.
type Rules interface {
	// Decide fills out[i] with the verdict on campaigns[i]. A rule that
	// fails sets its own Verdict.Err; the others are still decided. The
	// returned error is for failures that leave no verdict at all.
	// campaigns and out are the evaluation's scratch, reused by a later
	// request: Decide must not keep them once it returns (a verdict's
	// Reasons and Effects are the answer's, and may be kept).
	Decide(ctx context.Context, req *Request, campaigns []*Campaign, out []Verdict) error
}

// Verdict is what a rule said about one campaign.
type Verdict struct {
	Eligible bool
	Reasons  []string // why not, for rejected[].details
	// Effects replaces the campaign's declared effects when the rule
	// returns its own; nil keeps the declared ones.
	Effects []Effect
	Err     error // the rule failed: the campaign is rejected with "error"
}

// Usage reports how much of its limits a campaign has used. The redemption
// store implements it (and the cluster replaces it with fleet-wide counts);
// evaluate only reads it, it never reserves.
type Usage interface {
	Used(ctx context.Context, campaign, customer string) (Used, error)
}

// Used is a campaign's consumption of its limits.
type Used struct {
	Redemptions int64 // redemptions so far
	Customer    int64 // redemptions by this customer
	Spent       int64 // discount given so far, minor units
	// The same within the campaign's current period, when it has
	// per-period limits (the committer fills them in; see PeriodUsage).
	PeriodRedemptions, PeriodCustomer, PeriodSpent int64
}
