package policies

import "time"

// A shadow bundle (SPEC §11) prices every evaluate again, off the
// answer's path; policies/activation runs it and reports in these terms.

// ShadowReport is what GET /v1/bundles/shadow shows: how often the shadow
// bundle answered differently from the active one, and how.
type ShadowReport struct {
	Revision string    `json:"revision"`
	Source   string    `json:"source"`
	Since    time.Time `json:"since"`
	// Compared is how many evaluate answers the shadow priced again;
	// Differ how many of them it priced differently (another discount,
	// total, free item, points, or other campaigns applied).
	Compared int64 `json:"compared"`
	Differ   int64 `json:"differ"`
	// Dropped is answers not compared because the queue was full;
	// Errors answers the shadow could not price (LastError the last).
	Dropped   int64  `json:"dropped"`
	Errors    int64  `json:"errors"`
	LastError string `json:"last_error,omitempty"`
	// DiscountDelta is Σ (shadow − live) of discount plus shipping
	// discount over the compared answers, in minor units (of each
	// answer's own currency).
	DiscountDelta int64 `json:"discount_delta"`
	// Campaigns is, per campaign that applied on either side, in how many
	// compared answers it applied live and on the shadow.
	Campaigns []ShadowCampaign `json:"campaigns"`
	// Samples are some differing answers, chosen uniformly among all of
	// them (a reservoir), oldest first.
	Samples []ShadowSample `json:"samples"`
}

// ShadowCampaign counts one campaign's applications on each side.
type ShadowCampaign struct {
	Campaign      string `json:"campaign"`
	AppliedLive   int64  `json:"applied_live"`
	AppliedShadow int64  `json:"applied_shadow"`
}

// ShadowSample is one answer the shadow priced differently. The customer
// id is a keyed hash, as the decision log writes it.
type ShadowSample struct {
	At       time.Time  `json:"at"`
	Customer string     `json:"customer_hash,omitempty"`
	Currency string     `json:"currency"`
	Live     ShadowSide `json:"live"`
	Shadow   ShadowSide `json:"shadow"`
}

// ShadowSide is one side's answer, in short.
type ShadowSide struct {
	Revision         string   `json:"revision"`
	Discount         int64    `json:"discount"`
	ShippingDiscount int64    `json:"shipping_discount"`
	Total            int64    `json:"total"`
	Applied          []string `json:"applied"`
}
