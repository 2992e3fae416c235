package api

// CampaignStats is GET /v1/stats/campaigns: every campaign's counts per
// UTC day from From to To, summed across the fleet.
type CampaignStats struct {
	From      string         `json:"from"` // YYYY-MM-DD, UTC
	To        string         `json:"to"`
	Campaigns []CampaignDays `json:"campaigns"`
}

// CampaignDays is one campaign's days (GET /v1/stats/campaigns/{id}).
type CampaignDays struct {
	Campaign string `json:"campaign"`
	Name     string `json:"name"`
	// Limits are the campaign's limits in the active bundle (0: none),
	// for reading BudgetUsed and LimitUsed against.
	Limits StatsLimits `json:"limits"`
	// Days has one entry per day of the range, oldest first, zeros
	// included.
	Days  []DayCounts `json:"days"`
	Total DayCounts   `json:"total"`
}

// StatsLimits are a campaign's cluster-wide limits.
type StatsLimits struct {
	Redemptions int64 `json:"redemptions"`
	Budget      int64 `json:"budget"`
}

// DayCounts are one campaign's counts of one day (or of the range, in
// Total, where Date is empty).
type DayCounts struct {
	Date string `json:"date,omitempty"`
	// Applied is evaluate answers in which it applied.
	Applied int64 `json:"applied"`
	// Redemptions, Discount and Revenue (Σ total) are of the redemptions
	// committed that day with it applied.
	Redemptions int64 `json:"redemptions"`
	Discount    int64 `json:"discount"`
	Revenue     int64 `json:"revenue"`
	// BudgetUsed is Discount less what rollbacks gave back; LimitUsed is
	// Redemptions less the ones rolled back (what limits.budget and
	// limits.redemptions count); RolledBack is how many were.
	BudgetUsed int64 `json:"budget_used"`
	LimitUsed  int64 `json:"limit_used"`
	RolledBack int64 `json:"rolled_back"`
	// Rejections counts evaluate answers that rejected it, by reason.
	Rejections map[string]int64 `json:"rejections"`
}

// Experiment is GET /v1/experiments/{campaign} (SPEC §11).
type Experiment struct {
	Campaign       string `json:"campaign"`
	Phase          string `json:"phase"`
	PhaseStartedAt string `json:"phase_started_at,omitempty"` // RFC 3339; absent until counted
	// Variants are in the order of the campaign's document; the first is
	// the one the others are compared with.
	Variants []VariantStats `json:"variants"`
	// SampleRatioPValue is the chi-square test of the customers'
	// split against the weights; under 0.001 flags a mismatch.
	SampleRatioPValue   float64 `json:"sample_ratio_p_value"`
	SampleRatioMismatch bool    `json:"sample_ratio_mismatch"`
	// CustomersExact says Customers are exact (counted on one node);
	// otherwise they are HyperLogLog estimates (±0.8%).
	CustomersExact bool `json:"customers_exact"`
}

// VariantStats is one variant's counts in the current phase.
type VariantStats struct {
	Name    string `json:"name"`
	Weight  int64  `json:"weight"`
	Holdout bool   `json:"holdout,omitempty"`
	// Customers is distinct customers exposed; Exposures evaluate answers
	// in which the campaign was eligible for them.
	Customers int64 `json:"customers"`
	Exposures int64 `json:"exposures"`
	// Redemptions of exposed customers and their discount and revenue
	// (Σ total), net of rollbacks; Redeemers distinct redeeming customers.
	Redemptions int64 `json:"redemptions"`
	Redeemers   int64 `json:"redeemers"`
	// Conversion is Redeemers / Customers; AverageOrder Revenue /
	// Redemptions (minor units, rounded down).
	Conversion   float64 `json:"conversion"`
	Discount     int64   `json:"discount"`
	Revenue      int64   `json:"revenue"`
	AverageOrder int64   `json:"average_order"`
	// ConversionDiffCI is the 95% confidence interval of this variant's
	// conversion less the first variant's (normal approximation); absent
	// on the first and while either has no customers.
	ConversionDiffCI *[2]float64 `json:"conversion_diff_ci,omitempty"`
}
