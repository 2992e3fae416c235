package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// Referral codes (SPEC §9) are generated codes of their programme whose
// uses are the referrer's referrals (max uses: the referrer's
// max_referrals), owned by the referrer from the start; so the
// per-referrer limit is a code's uses, held and moved in a fleet like any
// generated code's (cluster/codes.go). What a redemption owes a referrer
// is a wallet lot credited in its commit.
var (
	bRefBy    = []byte("referrers")      // campaign \x00 referrer -> code
	bRefUses  = []byte("referral_uses")  // code \x00 redemption id -> ReferralUse JSON
	bRefOwned = []byte("referral_owned") // redemption id -> refOwned JSON
	bReferees = []byte("referees")       // customer -> the redemption that referred them
	bSeen     = []byte("customers_seen") // customer -> their first redemption here
	// referralBuckets are made when a file is opened (initSchema).
	referralBuckets = [][]byte{bRefBy, bRefUses, bRefOwned, bReferees, bSeen}
)

var _ policies.ReferralStore = (*Store)(nil)

// refOwned is what a redemption credited a referrer, for its rollback.
type refOwned struct {
	Referrer string `json:"referrer"`
	Lot      uint64 `json:"lot"`
	Code     string `json:"code"`
}

// referralSpec is the shape of referral codes.
var referralSpec = policies.CodeSpec{Count: 1, Prefix: "REF-", Pattern: "????-????"}

// IssueReferral implements policies.ReferralStore.
func (s *Store) IssueReferral(_ context.Context, campaign, referrer, email string, limit int64, at time.Time) (*policies.Referral, error) {
	var out *policies.Referral
	err := s.db.Update(func(tx *bolt.Tx) error {
		key := []byte(campaign + "\x00" + referrer)
		if code := tx.Bucket(bRefBy).Get(key); code != nil {
			var err error
			out, err = referralOf(tx, string(code))
			return err
		}
		code, err := freeCode(tx, &referralSpec) // codes.go
		if err != nil {
			return err
		}
		now := at.UTC()
		c := &policies.Code{Code: code, Campaign: campaign, State: policies.CodeStateActive, MaxUses: limit, Owner: referrer, OwnerEmail: email, Referral: true, CreatedAt: now}
		if err := putCode(tx, c); err != nil {
			return err
		}
		proto := CodeChunk{Campaign: campaign, MaxUses: limit, CreatedAt: now, Owner: referrer, OwnerEmail: email}
		if err := logCodesAs(tx, proto, []string{code}); err != nil {
			return err
		}
		if err := tx.Bucket(bRefBy).Put(key, []byte(code)); err != nil {
			return err
		}
		out, err = referralOf(tx, code)
		return err
	})
	return out, err
}

// referralOf is code as POST /v1/referrals answers it.
func referralOf(tx *bolt.Tx, code string) (*policies.Referral, error) {
	c, err := getCode(tx, code)
	if err != nil {
		return nil, err
	}
	if c.Owner == "" {
		return nil, fmt.Errorf("%w: %q is not a referral code", policies.ErrUnknownCode, code)
	}
	r := &policies.Referral{Code: code, Campaign: c.Campaign, Referrer: c.Owner, Referrals: max(c.Uses, usesOf(tx, code))}
	if c.MaxUses < policies.Unlimited {
		left := max(c.MaxUses-c.Uses, 0)
		r.Remaining = &left
	}
	return r, nil
}

// usesOf counts the uses of a referral code recorded here: its uses on
// every node, as their marks reached this one.
func usesOf(tx *bolt.Tx, code string) int64 {
	var n int64
	prefix := []byte(code + "\x00")
	cur := tx.Bucket(bRefUses).Cursor()
	for k, _ := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = cur.Next() {
		n++
	}
	return n
}

// ReferralOf implements policies.ReferralStore.
func (s *Store) ReferralOf(ctx context.Context, code string) (referrer, email string, err error) {
	c, err := s.Code(ctx, code)
	if err != nil {
		return "", "", err
	}
	return c.Owner, c.OwnerEmail, nil
}

// ReferralView implements policies.ReferralStore.
func (s *Store) ReferralView(_ context.Context, code string) (*policies.ReferralView, error) {
	var out *policies.ReferralView
	err := s.db.View(func(tx *bolt.Tx) error {
		r, err := referralOf(tx, code)
		if err != nil {
			return err
		}
		out = &policies.ReferralView{Referral: *r, Uses: []policies.ReferralUse{}}
		prefix := []byte(code + "\x00")
		cur := tx.Bucket(bRefUses).Cursor()
		for k, v := cur.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = cur.Next() {
			var u policies.ReferralUse
			if err := json.Unmarshal(v, &u); err != nil {
				return fmt.Errorf("%w: referral use: %v", errCorrupt, err)
			}
			out.Uses = append(out.Uses, u)
		}
		return nil
	})
	return out, err
}

// Known implements policies.ReferralStore.
func (s *Store) Known(_ context.Context, customer string) (redeemed, referred bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		redeemed = tx.Bucket(bSeen).Get([]byte(customer)) != nil
		referred = tx.Bucket(bReferees).Get([]byte(customer)) != nil
		return nil
	})
	return redeemed, referred, err
}

// checkReferral refuses, inside the commit, a referral for a customer
// who redeemed or was referred since the cart was priced. It writes
// nothing.
func checkReferral(tx *bolt.Tx, r *policies.Redemption, out map[string]policies.Reason) map[string]policies.Reason {
	if r.Referral == nil {
		return out
	}
	if tx.Bucket(bSeen).Get([]byte(r.CustomerID)) != nil || tx.Bucket(bReferees).Get([]byte(r.CustomerID)) != nil {
		if out == nil {
			out = map[string]policies.Reason{}
		}
		out[r.Referral.Campaign] = policies.ReferralNotNew
	}
	return out
}

// applyReferral marks r's customer as seen and, for a referral, credits
// the referrer's points as a pending lot whose source is r, and records
// the referral, in r's transaction.
func applyReferral(tx *bolt.Tx, r *policies.Redemption) error {
	if r.CustomerID == "" {
		return nil
	}
	seen := tx.Bucket(bSeen)
	first := seen.Get([]byte(r.CustomerID)) == nil
	if first {
		if err := seen.Put([]byte(r.CustomerID), []byte(r.ID)); err != nil {
			return err
		}
	}
	ref := r.Referral
	if ref == nil {
		if !first {
			return nil
		}
		return logMark(tx, Mark{Customer: r.CustomerID, Redemption: r.ID, At: r.CreatedAt.UTC()}) // the fleet learns of a customer no longer new
	}
	if err := logMark(tx, Mark{Customer: r.CustomerID, Redemption: r.ID, At: r.CreatedAt.UTC(), Code: ref.Code, Points: ref.Points}); err != nil {
		return err
	}
	o := refOwned{Referrer: ref.Referrer, Code: ref.Code}
	if ref.Points > 0 {
		terms := policies.LotTerms{Active: r.CreatedAt}
		if r.PointsTerms != nil {
			terms = *r.PointsTerms
		}
		var err error
		if o.Lot, err = credit(tx, ref.Referrer, ref.Points, terms, r.CreatedAt, policies.TxEarn, r.ID+" referral of "+r.CustomerID); err != nil {
			return err
		}
	}
	use, err := json.Marshal(policies.ReferralUse{Friend: r.CustomerID, RedemptionID: r.ID, At: r.CreatedAt.UTC(), Points: ref.Points})
	if err != nil {
		return err
	}
	owned, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bRefUses).Put([]byte(ref.Code+"\x00"+r.ID), use); err != nil {
		return err
	}
	if err := tx.Bucket(bReferees).Put([]byte(r.CustomerID), []byte(r.ID)); err != nil {
		return err
	}
	return tx.Bucket(bRefOwned).Put([]byte(r.ID), owned)
}

// rollbackReferral takes back the referrer's lot and forgets the
// referral (Rollback runs once).
func rollbackReferral(tx *bolt.Tx, r *policies.Redemption, at time.Time) error {
	raw := tx.Bucket(bRefOwned).Get([]byte(r.ID))
	if raw == nil {
		return nil
	}
	var o refOwned
	if err := json.Unmarshal(raw, &o); err != nil {
		return fmt.Errorf("%w: referral: %v", errCorrupt, err)
	}
	if o.Lot != 0 {
		if err := takeBack(tx, o.Referrer, o.Lot, at, r.ID); err != nil {
			return err
		}
	}
	if err := forgetReferral(tx, r.CustomerID, r.ID, o.Code); err != nil {
		return err
	}
	if err := logMark(tx, Mark{Customer: r.CustomerID, Redemption: r.ID, At: at.UTC(), Code: o.Code, Undo: true}); err != nil {
		return err
	}
	return tx.Bucket(bRefOwned).Delete([]byte(r.ID))
}

// forgetReferral deletes the use of code by redemption and, when it is
// what referred customer, that the customer was referred.
func forgetReferral(tx *bolt.Tx, customer, redemption, code string) error {
	if err := tx.Bucket(bRefUses).Delete([]byte(code + "\x00" + redemption)); err != nil {
		return err
	}
	if b := tx.Bucket(bReferees); string(b.Get([]byte(customer))) == redemption {
		return b.Delete([]byte(customer))
	}
	return nil
}

// applyMark records another node's mark (replica.go) as this node's own
// records of its customers read: seen, referred by a code, or no longer.
// Applying a mark again changes nothing.
func applyMark(tx *bolt.Tx, m Mark) error {
	if seen := tx.Bucket(bSeen); seen.Get([]byte(m.Customer)) == nil {
		if err := seen.Put([]byte(m.Customer), []byte(m.Redemption)); err != nil {
			return err
		}
	}
	switch {
	case m.Code == "":
		return nil
	case m.Undo:
		return forgetReferral(tx, m.Customer, m.Redemption, m.Code)
	}
	if b := tx.Bucket(bReferees); b.Get([]byte(m.Customer)) == nil {
		if err := b.Put([]byte(m.Customer), []byte(m.Redemption)); err != nil {
			return err
		}
	}
	use, err := json.Marshal(policies.ReferralUse{Friend: m.Customer, RedemptionID: m.Redemption, At: m.At, Points: m.Points})
	if err != nil {
		return err
	}
	return tx.Bucket(bRefUses).Put([]byte(m.Code+"\x00"+m.Redemption), use)
}

// learnReferrer records the referral code c, learnt from another node, as
// its referrer's code of its programme. Two codes of one referrer (made
// on two nodes apart, in a partition) both stay valid; every node names
// the smaller one the referrer's, so they all answer the same.
func learnReferrer(tx *bolt.Tx, c *policies.Code) error {
	b := tx.Bucket(bRefBy)
	key := []byte(c.Campaign + "\x00" + c.Owner)
	if have := b.Get(key); have != nil && string(have) <= c.Code {
		return nil
	}
	return b.Put(key, []byte(c.Code))
}

// validateMarks checks a chunk of marks as validate checks codes.
func (ch *CodeChunk) validateMarks() error {
	switch {
	case ch.Seq == 0:
		return fmt.Errorf("%w: sequence 0", ErrBadChunk)
	case ch.Campaign != "" || len(ch.Codes) > 0:
		return fmt.Errorf("%w: marks with codes", ErrBadChunk)
	case len(ch.Marks) > CodeChunkSize:
		return fmt.Errorf("%w: %d marks, at most %d", ErrBadChunk, len(ch.Marks), CodeChunkSize)
	}
	for _, m := range ch.Marks {
		switch {
		case policies.CheckCustomer("customer", m.Customer) != nil:
			return fmt.Errorf("%w: mark of customer %q", ErrBadChunk, m.Customer)
		case m.Redemption == "" || len(m.Redemption) > 128:
			return fmt.Errorf("%w: mark of redemption %q", ErrBadChunk, m.Redemption)
		case m.Code != "" && !policies.ValidCode(m.Code):
			return fmt.Errorf("%w: mark of code %q", ErrBadChunk, m.Code)
		case m.Points < 0 || m.Points > policies.MaxPoints:
			return fmt.Errorf("%w: mark of %d points", ErrBadChunk, m.Points)
		}
	}
	return nil
}

// Referrer implements policies.ReferralStore.
func (s *Store) Referrer(_ context.Context, campaign, referrer string) (*policies.Referral, error) {
	var out *policies.Referral
	err := s.db.View(func(tx *bolt.Tx) error {
		code := tx.Bucket(bRefBy).Get([]byte(campaign + "\x00" + referrer))
		if code == nil {
			return fmt.Errorf("%w: %s has no code of %s here", policies.ErrUnknownCode, referrer, campaign)
		}
		var err error
		out, err = referralOf(tx, string(code))
		return err
	})
	return out, err
}

// migrateSeen (schema 5 to 6) lists every customer with a redemption that
// stands as seen, so that a customer who ordered before referrals existed
// is not taken for a new one.
func migrateSeen(tx *bolt.Tx) error {
	seen := tx.Bucket(bSeen)
	return tx.Bucket(bRedemptions).ForEach(func(id, raw []byte) error {
		var r struct {
			CustomerID string                    `json:"customer_id"`
			Status     policies.RedemptionStatus `json:"status"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("%w: redemption %s: %v", errCorrupt, id, err)
		}
		if r.CustomerID == "" || r.Status != policies.Redeemed || seen.Get([]byte(r.CustomerID)) != nil {
			return nil
		}
		return seen.Put([]byte(r.CustomerID), bytes.Clone(id))
	})
}
