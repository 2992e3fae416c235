package policies

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"time"
)

// RedeemRequest is a pricing request to commit.
type RedeemRequest struct {
	*Request
	OrderID        string
	IdempotencyKey string
	// Hash identifies the request body: the same key with another hash is
	// a conflict.
	Hash string
}

// maxRedeemAttempts bounds re-pricing after lost limit races: each lost
// race rejects at least one more campaign, so a redemption converges.
const maxRedeemAttempts = 8

// Receipt is what a redemption answered, with what the caller may want to
// observe of it (metrics, the decision log).
type Receipt struct {
	// Response is the JSON answer, which is also what a retry with the
	// same idempotency key gets back.
	Response []byte
	// Redemption is the stored record: the new one, or the one replayed.
	Redemption *Redemption
	// Decision is the pricing that was committed; nil for a replay, whose
	// decision is only in Response.
	Decision *Decision
	// Replayed: the idempotency key was known and nothing was committed.
	Replayed bool
}

// Redeem prices req again (never trusting the client's numbers) and
// commits every limit of every applied campaign, all or none. Campaigns
// whose limits ran out are rejected in the answer, not errors.
//
// This is the one retry loop of a redemption. A commit that found limits
// exhausted asks the Supplier (a fleet) for the rights it lacked and, if
// they came, commits the same redemption again; otherwise the cart is
// priced again without the campaigns that lost, at most maxRedeemAttempts
// times.
func (e *Engine) Redeem(ctx context.Context, rr *RedeemRequest) (*Receipt, error) {
	return e.redeem(ctx, rr, nil)
}

// redeem is Redeem, Reserve and CommitReservation: m says how r is shaped
// and committed (reservation.go).
func (e *Engine) redeem(ctx context.Context, rr *RedeemRequest, m *redeemMode) (*Receipt, error) {
	if e.committer == nil {
		return nil, ErrNoStore
	}
	if prev, ok, err := e.committer.Replay(ctx, rr.IdempotencyKey); err != nil || ok {
		return replay(prev, rr, err)
	}
	var (
		forced   map[string]Reason
		dec      *Decision
		r        *Redemption
		since    time.Time // when r was first committed
		attempts int
		friend   friendClaim
	)
	defer friend.release(e.registry)
	for {
		if r == nil {
			if attempts++; attempts > maxRedeemAttempts {
				return nil, ErrLimitRace
			}
			var err error
			if dec, r, err = e.price(ctx, rr, forced, m); err != nil {
				return nil, err
			}
			if lost, err := friend.claim(ctx, e.registry, r); err != nil {
				return nil, err
			} else if lost {
				forced = lose(forced, r.Referral.Campaign, ReferralNotNew)
				r = nil
				continue
			}
			since = time.Now()
		}
		stored, replayed, exhausted, err := e.commitAs(ctx, m, r)
		switch {
		case err != nil:
			return nil, err
		case replayed:
			return &Receipt{Response: stored.Response, Redemption: stored, Replayed: true}, nil
		case len(exhausted) == 0:
			friend.used = stored.Referral != nil
			dec.settleCards(stored.GiftCards)
			return &Receipt{Response: stored.Response, Redemption: stored, Decision: dec}, nil
		case e.supplier != nil && e.supplier.Supply(ctx, r, exhausted, since):
			continue // the rights came: the same redemption again
		}
		if forced == nil {
			forced = make(map[string]Reason, len(exhausted))
		}
		maps.Copy(forced, exhausted)
		r = nil
	}
}

// price evaluates the request for redeeming, forced rejecting the
// campaigns that lost a limit race, and records what it consumes.
func (e *Engine) price(ctx context.Context, rr *RedeemRequest, forced map[string]Reason, m *redeemMode) (*Decision, *Redemption, error) {
	var held heldBy
	if m != nil {
		held.r = m.held
	}
	dec, err := e.evaluateHeld(ctx, rr.Request, forced, held)
	if err != nil {
		return nil, nil, err
	}
	now := e.now()
	r, err := newRedemption(rr, dec, now)
	if err != nil {
		return nil, nil, err
	}
	if r.Referral, err = e.referralOf(ctx, dec.revision, dec, r.CreatedAt); err != nil {
		return nil, nil, err
	}
	// Alone, a card pays what it holds at commit; in a fleet, the first
	// attempt lets the fleet move the balance here (SettleCards).
	r.SettleCards = e.supplier == nil || forced != nil
	m.shape(r, dec, now, e.node)
	return dec, r, nil
}

func replay(prev *Redemption, rr *RedeemRequest, err error) (*Receipt, error) {
	if err != nil {
		return nil, err
	}
	if prev.RequestHash != rr.Hash {
		return nil, ErrIdempotencyConflict
	}
	return &Receipt{Response: prev.Response, Redemption: prev, Replayed: true}, nil
}

// newRedemption records what dec consumes: one use of every campaign that
// gave something (a discount, points or a free item).
func newRedemption(rr *RedeemRequest, dec *Decision, now time.Time) (*Redemption, error) {
	r := &Redemption{
		ID: newRedemptionID(now), OrderID: rr.OrderID, CustomerID: rr.Customer.ID,
		IdempotencyKey: rr.IdempotencyKey, RequestHash: rr.Hash, CreatedAt: now.UTC(),
		Status: Redeemed, Currency: dec.Currency, Discount: dec.Discount + dec.ShippingDiscount, Total: dec.Total,
		Campaigns: []RedeemedCampaign{}, RequestedAt: rr.Context.Now,
	}
	byID := map[string]int{}
	get := func(campaign, code string) *RedeemedCampaign {
		i, ok := byID[campaign]
		if !ok {
			i = len(r.Campaigns)
			byID[campaign] = i
			r.Campaigns = append(r.Campaigns, RedeemedCampaign{Campaign: campaign, Code: code})
		}
		return &r.Campaigns[i]
	}
	gave := map[string]bool{}
	for _, a := range dec.Applied {
		if a.Reward != "" {
			addReward(r, dec.revision.Loyalty, &a)
			continue
		}
		get(a.Campaign, a.Code).Amount += a.Amount
		gave[a.Campaign] = gave[a.Campaign] || a.Amount > 0
	}
	for _, p := range dec.Points {
		get(p.Campaign, "").Points += p.Points
		gave[p.Campaign] = gave[p.Campaign] || p.Points > 0
	}
	for _, f := range dec.FreeItems {
		gave[f.Campaign] = true
	}
	kept := r.Campaigns[:0]
	for _, c := range r.Campaigns {
		if gave[c.Campaign] {
			kept = append(kept, c)
		}
	}
	r.Campaigns = kept
	r.GiftCards = redeemedCards(dec)
	r.Variants = exposures(dec)
	if p := dec.revision.Loyalty; p != nil {
		terms := p.Terms(r.CreatedAt, true)
		r.PointsTerms, r.Program = &terms, p
	}
	if err := fillLimits(r, dec, rr.Context.Now); err != nil {
		return nil, err
	}
	r.Response = receiptJSON(r.ID, dec)
	return r, nil
}

// fillLimits copies each campaign's limits and code kind from the decision's
// revision into the redemption.
// at is the request's time: the period per-period limits count it in.
func fillLimits(r *Redemption, dec *Decision, at time.Time) error {
	rev := dec.revision
	for i := range r.Campaigns {
		c := &r.Campaigns[i]
		camp, err := rev.Campaign(c.Campaign)
		if err != nil {
			return err
		}
		c.Limits = camp.Limits
		c.UniqueCode = camp.UniqueCodes && c.Code != "" // a referral code's uses are its referrer's referrals
		if camp.Limits.PerPeriod.Set() {
			c.Period = camp.PeriodAt(at).Key()
		}
	}
	return nil
}

func newRedemptionID(now time.Time) string {
	var b [6]byte
	_, _ = crand.Read(b[:])
	return fmt.Sprintf("rd_%016x%s", now.UnixNano(), hex.EncodeToString(b[:]))
}

// Rollback gives back what redemption id consumed, once; a second call
// changes nothing and returns the redemption as it stands. fresh reports
// whether this call rolled it back (false: an earlier one had). It tells
// by the rollback time, which is this call's clock reading only if this
// call wrote it; an engine whose clock stands still (a test's Config.Now)
// may see true twice.
func (e *Engine) Rollback(ctx context.Context, id string) (r *Redemption, fresh bool, err error) {
	if e.committer == nil {
		return nil, false, ErrNoStore
	}
	at := e.now()
	r, err = e.committer.Rollback(ctx, id, at)
	if err != nil {
		return nil, false, err
	}
	return r, r.RolledBackAt != nil && r.RolledBackAt.Equal(at), nil
}

// receiptJSON is the answer to a redemption: {"redemption_id": id, ...}
// followed by the decision's fields, encoded as evaluate encodes them.
func receiptJSON(id string, dec *Decision) []byte {
	b := append([]byte(`{"redemption_id":"`), id...) // ids are rd_ and hex
	b = append(b, `",`...)
	return append(b, dec.AppendJSON(nil)[1:]...)
}
