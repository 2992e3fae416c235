package stats

import "context"

// Keeper keeps the counters: this node's rows durably, and the copies of
// other nodes' rows it was sent. The store implements it for a lone
// sidecar; the cluster wraps the store's to share the rows with the fleet.
type Keeper interface {
	// Add adds deltas to this node's own rows, durably, in one write.
	Add(ctx context.Context, deltas []Delta) error
	// Days is the fleet's day rows (Phase and Variant "") of campaign
	// ("" for every campaign) from from to to (inclusive), summed over
	// nodes, one Row per key.
	Days(ctx context.Context, campaign string, from, to Day) ([]Row, error)
	// Variants is the fleet's experiment rows of campaign's phase, summed
	// over nodes, one Row per variant.
	Variants(ctx context.Context, campaign, phase string) ([]Row, error)
}
