package policies

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
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

// Redeem prices req again (never trusting the client's numbers) and
// commits every limit of every applied campaign, all or none. It returns
// the JSON answer, which is also what a retry with the same idempotency
// key gets back. Campaigns whose limits ran out are rejected in the
// answer, not errors.
func (e *Engine) Redeem(ctx context.Context, rr *RedeemRequest) ([]byte, error) {
	rc, err := e.RedeemReceipt(ctx, rr)
	if err != nil {
		return nil, err
	}
	return rc.Response, nil
}

// Receipt is what a redemption answered, with what the caller may want to
// observe of it (metrics, the decision log).
type Receipt struct {
	// Response is the JSON answer (Redeem's result).
	Response []byte
	// Redemption is the stored record: the new one, or the one replayed.
	Redemption *Redemption
	// Decision is the pricing that was committed; nil for a replay, whose
	// decision is only in Response.
	Decision *Decision
	// Replayed: the idempotency key was known and nothing was committed.
	Replayed bool
}

// RedeemReceipt is Redeem, returning the stored redemption and the
// decision beside the answer.
func (e *Engine) RedeemReceipt(ctx context.Context, rr *RedeemRequest) (*Receipt, error) {
	if e.committer == nil {
		return nil, ErrNoStore
	}
	if prev, ok, err := e.committer.Replay(ctx, rr.IdempotencyKey); err != nil || ok {
		return replay(prev, rr, err)
	}
	var forced map[string]Reason
	for range maxRedeemAttempts {
		dec, err := e.evaluate(ctx, rr.Request, forced, nil) // no hints: the commit decides
		if err != nil {
			return nil, err
		}
		r, err := newRedemption(rr, dec, e.now())
		if err != nil {
			return nil, err
		}
		stored, replayed, exhausted, err := e.committer.Commit(ctx, r)
		if err != nil {
			return nil, err
		}
		if replayed {
			return &Receipt{Response: stored.Response, Redemption: stored, Replayed: true}, nil
		}
		if len(exhausted) == 0 {
			return &Receipt{Response: stored.Response, Redemption: stored, Decision: dec}, nil
		}
		if forced == nil {
			forced = make(map[string]Reason, len(exhausted))
		}
		for id, reason := range exhausted {
			forced[id] = reason
		}
	}
	return nil, ErrLimitRace
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
		Campaigns: []RedeemedCampaign{},
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
	if err := fillLimits(r, dec); err != nil {
		return nil, err
	}
	r.Response = receiptJSON(r.ID, dec)
	return r, nil
}

// fillLimits copies each campaign's limits and code kind from the decision's
// revision into the redemption.
func fillLimits(r *Redemption, dec *Decision) error {
	rev := dec.revision
	for i := range r.Campaigns {
		c := &r.Campaigns[i]
		camp, err := rev.Campaign(c.Campaign)
		if err != nil {
			return err
		}
		c.Limits = camp.Limits
		c.UniqueCode = camp.UniqueCodes && c.Code != ""
	}
	return nil
}

func newRedemptionID(now time.Time) string {
	var b [6]byte
	_, _ = crand.Read(b[:])
	return fmt.Sprintf("rd_%016x%s", now.UnixNano(), hex.EncodeToString(b[:]))
}

// Rollback gives back what redemption id consumed, once; a second call
// changes nothing and returns the redemption as it stands.
func (e *Engine) Rollback(ctx context.Context, id string) (*Redemption, error) {
	r, _, err := e.RollbackFresh(ctx, id)
	return r, err
}

// RollbackFresh is Rollback, also reporting whether this call rolled the
// redemption back (false: an earlier one had). It tells by the rollback
// time, which is this call's clock reading only if this call wrote it; an
// engine whose clock stands still (a test's Config.Now) may see true twice.
func (e *Engine) RollbackFresh(ctx context.Context, id string) (*Redemption, bool, error) {
	if e.committer == nil {
		return nil, false, ErrNoStore
	}
	at := e.now()
	r, err := e.committer.Rollback(ctx, id, at)
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
