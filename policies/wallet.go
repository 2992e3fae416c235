package policies

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Sentinel errors of wallets.
var (
	// ErrInsufficientPoints: the wallet's balance cannot pay for it.
	ErrInsufficientPoints = errors.New("insufficient points")
	// ErrBadAdjustment: an adjustment of zero or absurd points.
	ErrBadAdjustment = errors.New("invalid adjustment")
	// ErrNoProgram: the active bundle has no loyalty program.
	ErrNoProgram = errors.New("the active bundle has no loyalty program")
)

// TxKind is what a wallet transaction did.
type TxKind string

// Transaction kinds (SPEC §7).
const (
	TxEarn     TxKind = "earn"
	TxSpend    TxKind = "spend"
	TxExpire   TxKind = "expire"
	TxRollback TxKind = "rollback"
	TxAdjust   TxKind = "adjust"
	TxReward   TxKind = "reward"
	// TxMove: points moved to or from another node of a fleet, with their
	// lots' terms (cluster/doc.go, # Loyalty wallets).
	TxMove TxKind = "move"
)

// WalletTx is one entry of a wallet's ledger: every change of a wallet is
// one, with its cause and the balance after it (STYLE 18).
type WalletTx struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Kind    TxKind    `json:"kind"`
	Points  int64     `json:"points"`  // signed
	Balance int64     `json:"balance"` // after it
	Source  string    `json:"source"`  // a redemption, an event, an adjustment's reason
}

// Balances is what a wallet holds as of a time.
type Balances struct {
	Balance  int64      // active, unexpired lots' remains, minus debt
	Pending  int64      // lots not yet active
	Earned   int64      // points of the lots earned in the window
	Expiring []Expiring // the next three expiry dates
}

// Expiring is what expires at one time.
type Expiring struct {
	Points int64     `json:"points"`
	At     time.Time `json:"at"`
}

// LotTerms are when a credited lot becomes active and expires (zero: never).
type LotTerms struct {
	Active time.Time `json:"active"`
	Expiry time.Time `json:"expiry,omitzero"`
}

// Adjustment is an operator's change of a wallet (POST .../adjust).
type Adjustment struct {
	Customer       string
	Points         int64 // positive: an active lot; negative: a debit
	Reason         string
	IdempotencyKey string
	At             time.Time
	Terms          LotTerms // of a credit
	Program        *Program // whose tiers a wallet.tier_changed notice reports; nil: none
}

// WalletStore keeps wallets; the bbolt store implements it.
type WalletStore interface {
	// Balances reads a wallet as of at; window is the tier window.
	Balances(ctx context.Context, customer string, at time.Time, window time.Duration) (Balances, error)
	// Transactions calls fn with the wallet's ledger, oldest first.
	Transactions(ctx context.Context, customer string, fn func(*WalletTx) error) error
	// Claimed is how many units of a reward's stock are taken.
	Claimed(ctx context.Context, reward string) (int64, error)
	// Adjust applies a, once per idempotency key, returning its entry.
	Adjust(ctx context.Context, a *Adjustment) (*WalletTx, error)
	WalletWriter
}

// WalletPool reads the shares of a wallet held elsewhere: a fleet's
// other nodes (cluster). GET /v1/wallets adds them to this node's own.
type WalletPool interface {
	// Shares sums what every other live node holds of customer's wallet
	// as of at. An error (ErrWalletPartial) still returns what answered.
	Shares(ctx context.Context, customer string, at time.Time, window time.Duration) (Balances, error)
	// Gossiped sums the other nodes' shares as they last told them, with
	// no network on the way: what pricing adds to this node's share.
	Gossiped(customer string) Balances
	// CardLedger is Shares of a gift card's balance with every other
	// live node's part of the card's ledger and the card's terms.
	CardLedger(ctx context.Context, code string, at time.Time) (CardShares, error)
}

// CardShares is what a fleet's other nodes hold of a gift card.
type CardShares struct {
	Balance Balances     // their shares of the balance, summed
	Ledger  []GiftCardTx // their parts of the card's ledger
	// Card is the card's terms (campaign, currency, expiry) as a node
	// that knows the card has them; nil: no node that answered does.
	Card *GiftCard
}

// ErrWalletPartial: a node that may hold part of a wallet did not answer.
var ErrWalletPartial = errors.New("wallet read without every node's share")

// Add sums two shares of one wallet; Expiring keeps the three earliest
// dates, points of the same date added.
func (b Balances) Add(o Balances) Balances {
	out := Balances{Balance: b.Balance + o.Balance, Pending: b.Pending + o.Pending, Earned: b.Earned + o.Earned}
	if len(o.Expiring) == 0 {
		out.Expiring = b.Expiring
		return out
	}
	all := append(slices.Clone(b.Expiring), o.Expiring...)
	slices.SortFunc(all, func(x, y Expiring) int { return x.At.Compare(y.At) })
	for _, e := range all {
		if n := len(out.Expiring); n > 0 && out.Expiring[n-1].At.Equal(e.At) {
			out.Expiring[n-1].Points += e.Points
			continue
		}
		if len(out.Expiring) == 3 {
			break
		}
		out.Expiring = append(out.Expiring, e)
	}
	return out
}

// WalletView is a wallet as GET /v1/wallets/{customer} answers it.
type WalletView struct {
	CustomerID string     `json:"customer_id"`
	Balance    int64      `json:"balance"`
	Pending    int64      `json:"pending"`
	Earned     int64      `json:"earned"`
	Tier       string     `json:"tier"`
	NextTier   *NextTier  `json:"next_tier"`
	Expiring   []Expiring `json:"expiring"`
	// Partial: a fleet's node that may hold part of it did not answer.
	Partial bool `json:"partial,omitempty"`
}

// NextTier is the next level and how many earned points it needs.
type NextTier struct {
	Name         string `json:"name"`
	PointsNeeded int64  `json:"points_needed"`
}

// View is b with the program's tier.
func (p *Program) View(customer string, b Balances) *WalletView {
	v := &WalletView{CustomerID: customer, Balance: b.Balance, Pending: b.Pending, Earned: b.Earned, Expiring: b.Expiring}
	if v.Expiring == nil {
		v.Expiring = []Expiring{}
	}
	tier, next := p.TierOf(b.Earned)
	v.Tier = tier.Name
	if next != nil {
		v.NextTier = &NextTier{Name: next.Name, PointsNeeded: next.AtLeast - b.Earned}
	}
	return v
}

// Window is the program's tier window.
func (p *Program) Window() time.Duration { return time.Duration(p.WindowDays) * 24 * time.Hour }

// Claim is a reward claimed outside checkout (a donation).
type Claim struct {
	Customer       string
	Reward         *Reward
	IdempotencyKey string
	At             time.Time
	// Card is the card a gift card reward issues: its program and terms.
	Card *CardClaim
}

// CardClaim is the card a claimed gift card reward issues.
type CardClaim struct {
	Campaign string
	Terms    CardTerms
}

// ClaimedCard is the card a claim issued.
type ClaimedCard struct {
	Code    string `json:"code"`
	Balance int64  `json:"balance"`
}

// ClaimResult answers a claim.
type ClaimResult struct {
	Reward      string       `json:"reward"`
	PointsSpent int64        `json:"points_spent"`
	Balance     int64        `json:"balance"`
	Donation    *Donation    `json:"donation,omitempty"`
	GiftCard    *ClaimedCard `json:"gift_card,omitempty"`
}

// Earning event: points for something other than a purchase.
type EarnEvent struct {
	ID       string
	Type     string
	Customer string
	At       time.Time
	Day      int64 // the calendar day of At in the program's zone, yyyymmdd
	Earning  Earning
	Terms    LotTerms
	Program  *Program // whose tiers a wallet.tier_changed notice reports; nil: none
}

// EarnResult answers POST /v1/events.
type EarnResult struct {
	Event    string         `json:"event"`
	Points   int64          `json:"points"`
	Capped   bool           `json:"capped,omitempty"`
	Triggers []TriggerState `json:"triggers"`
	// Replayed is set on the answer to an event id seen before.
	Replayed bool `json:"-"`
}

// WalletWriter is what claims and events need of the wallets beyond
// WalletStore; the bbolt store implements it.
type WalletWriter interface {
	// Claim spends a reward's points and one unit of its stock, once per
	// idempotency key: ErrInsufficientPoints or OutOfStock-wrapped errors
	// write nothing.
	Claim(ctx context.Context, c *Claim) (*ClaimResult, error)
	// Earn credits an event's points unless the customer's daily cap for
	// its type is reached, once per event id.
	Earn(ctx context.Context, ev *EarnEvent) (*EarnResult, error)
}

// ErrOutOfStock: the reward's stock is used up.
var ErrOutOfStock = errors.New("reward out of stock")
