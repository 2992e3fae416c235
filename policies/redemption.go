package policies

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors of redemptions.
var (
	// ErrIdempotencyConflict: the idempotency key was used with another body.
	ErrIdempotencyConflict = errors.New("idempotency key reused with a different request")
	// ErrLimitRace: the redemption kept losing limit races and gave up.
	ErrLimitRace = errors.New("redemption lost a limit race; retry")
	// ErrTryAgain: the fleet is settling what the request asks (another
	// node is making the same referrer's code): the same request succeeds
	// in a moment.
	ErrTryAgain = errors.New("being settled on another node of the fleet; retry")
	// ErrUnknownRedemption: no redemption has that id.
	ErrUnknownRedemption = errors.New("unknown redemption")
	// ErrNoStore: redemptions need a store and none is attached.
	ErrNoStore = errors.New("no redemption store")
)

// Redemption is one committed order's promotions: what it consumed of
// every limit, so that a rollback can give exactly that back.
type Redemption struct {
	ID             string             `json:"redemption_id"`
	OrderID        string             `json:"order_id"`
	CustomerID     string             `json:"customer_id"`
	IdempotencyKey string             `json:"idempotency_key"`
	RequestHash    string             `json:"request_hash"`
	CreatedAt      time.Time          `json:"created_at"`
	Status         RedemptionStatus   `json:"status"`
	RolledBackAt   *time.Time         `json:"rolled_back_at,omitempty"`
	Currency       string             `json:"currency"`
	Campaigns      []RedeemedCampaign `json:"campaigns"`
	Discount       int64              `json:"discount"` // lines + shipping
	Total          int64              `json:"total"`
	// PointsTerms are when the lots its points effects credit become
	// active and expire; nil: active at once, never expiring.
	PointsTerms *LotTerms `json:"points_terms,omitempty"`
	// Rewards are the catalogue rewards it spends points on (SPEC §7).
	Rewards []RedeemedReward `json:"rewards,omitempty"`
	// GiftCards are the cards it pays with (SPEC §8); the commit sets
	// each Amount to what it debited.
	GiftCards []RedeemedGiftCard `json:"gift_cards,omitempty"`
	// SettleCards lets the commit debit less than a card's Amount when
	// the card holds less (partial payment); false, it reports the card
	// exhausted instead so that a fleet can move the balance here first.
	SettleCards bool `json:"-"`
	// Referral is what it owes a referrer (SPEC §9): a pending lot,
	// credited in the same commit, taken back by its rollback.
	Referral *RedeemedReferral `json:"referral,omitempty"`
	// ExpiresAt is when a reservation (Status Held) is released.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// CommittedAs is the redemption a committed reservation became;
	// ReleasedAt when a released or expired one gave back its hold.
	CommittedAs string     `json:"committed_as,omitempty"`
	ReleasedAt  *time.Time `json:"released_at,omitempty"`
	// Variants are the experiments the customer was in (SPEC §11): the
	// variants applied and the holdouts.
	Variants []Exposure `json:"variants,omitempty"`
	// Program is the loyalty program when redeemed (nil: none): its tiers
	// tell the store whether the points moved the customer's tier, which
	// it reports as a wallet.tier_changed notice.
	Program *Program `json:"-"`
	// Response is the JSON answered, replayed for the same key; the store
	// keeps it beside the record, not in it.
	Response []byte `json:"-"`
	// RequestedAt is the request's context.now, which per-period limits
	// count in; the committer follows the latest (see PeriodGrace). Not
	// stored: the campaigns' Period says what it counted in.
	RequestedAt time.Time `json:"-"`
}

// RedemptionStatus is where a redemption stands.
type RedemptionStatus string

// Statuses.
const (
	Redeemed   RedemptionStatus = "redeemed"
	RolledBack RedemptionStatus = "rolled_back"
)

// RedeemedCampaign is one campaign a redemption applied.
type RedeemedCampaign struct {
	Campaign   string `json:"campaign"`
	Code       string `json:"code,omitempty"`
	UniqueCode bool   `json:"unique_code,omitempty"` // Code is a generated code: one use consumed
	Amount     int64  `json:"amount"`                // discount, lines + shipping
	Points     int64  `json:"points"`
	Limits     Limits `json:"-"` // the campaign's limits when redeemed
	// Period is the Key of the period its per-period limits counted it
	// in (the request's context.now in the campaign's zone); "" without
	// per-period limits. A rollback gives back to that period.
	Period string `json:"period,omitempty"`
}

// RedeemedReward is one reward a redemption pays for with points.
type RedeemedReward struct {
	Reward string `json:"reward"`
	Points int64  `json:"points"`
	Stock  int64  `json:"stock,omitempty"` // the reward's stock when redeemed; 0: unlimited
}

// RewardKey is a reward's key in the exhausted map of a commit, beside
// the campaigns' ids.
func RewardKey(id string) string { return "reward:" + id }

// StockLimit is a reward's stock as a Limiter sees it: a campaign named
// RewardKey(id) limited to Stock redemptions, so that a fleet escrows a
// reward's units as it escrows a campaign's redemptions, and a lone node
// counts them against the units claimed. Stock 0 (unlimited) has no limit.
func (rw *RedeemedReward) StockLimit() *RedeemedCampaign {
	return &RedeemedCampaign{Campaign: RewardKey(rw.Reward), Limits: Limits{Redemptions: rw.Stock}}
}

// Committer makes redemptions durable. The bbolt store implements it; the
// cluster wraps its limit checks.
type Committer interface {
	// Commit checks and consumes every limit of every campaign of r,
	// all or none, and stores r with its response, durably, before
	// returning. If the idempotency key is known with the same request
	// hash it returns the stored redemption (replayed=true); with another
	// hash, ErrIdempotencyConflict. If limits ran out it consumes nothing
	// and returns the campaigns that could not have them in exhausted.
	Commit(ctx context.Context, r *Redemption) (stored *Redemption, replayed bool, exhausted map[string]Reason, err error)
	// Replay returns the redemption stored for an idempotency key, if any.
	Replay(ctx context.Context, key string) (*Redemption, bool, error)
	// Rollback gives back what redemption id consumed, once. It returns the
	// redemption as it now stands.
	Rollback(ctx context.Context, id string, at time.Time) (*Redemption, error)
}
