package store

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// A reservation is a redemption record in the held state (SPEC §10): it
// is committed by apply like any redemption, so it takes whatever a
// redemption takes, through the same take; its release is the same give
// as a rollback. bHolds indexes the holds standing by expiry, for the
// expiry worker (expiry.go).
var (
	bHolds = []byte("holds") // expires_at (8, unix nanos) id -> 1
	// A reservation's record and answer are kept apart from the
	// redemptions', so that open reservations do not grow the trees every
	// redeem writes to (sidecar's BenchmarkOpenReservations: a redeem with
	// 100,000 open is within 1.1x of one with none, docs/reservations.md).
	bHeldRecs    = []byte("reservations")        // id -> Redemption JSON
	bHeldAnswers = []byte("reservation_answers") // id -> the JSON answered
)

// recordBuckets are where the record and the answer of id are: a
// reservation's (rs_) or a redemption's.
func recordBuckets(id string) (records, answers []byte) {
	if strings.HasPrefix(id, "rs_") {
		return bHeldRecs, bHeldAnswers
	}
	return bRedemptions, bResponses
}

var _ policies.Holder = (*Store)(nil)

func holdKey(r *policies.Redemption) []byte {
	k := make([]byte, 8, 8+len(r.ID))
	binary.BigEndian.PutUint64(k, uint64(max(0, r.ExpiresAt.UnixNano())))
	return append(k, r.ID...)
}

func putHold(tx *bolt.Tx, r *policies.Redemption) error {
	if r.ExpiresAt == nil {
		return fmt.Errorf("reservation %s without an expiry", r.ID)
	}
	return tx.Bucket(bHolds).Put(holdKey(r), []byte{1}) // non-empty: Get tells it from absent
}

// Reservation implements policies.Holder.
func (s *Store) Reservation(_ context.Context, id string) (*policies.Redemption, error) {
	if r, ok := s.holds.get(id); ok {
		return r, nil
	}
	var r *policies.Redemption
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		r, err = getReservation(tx, id)
		return err
	})
	return r, err
}

func getReservation(tx *bolt.Tx, id string) (*policies.Redemption, error) {
	raw := tx.Bucket(bHeldRecs).Get([]byte(id))
	if raw == nil || !strings.HasPrefix(id, "rs_") {
		return nil, fmt.Errorf("%w: %q", policies.ErrUnknownReservation, id)
	}
	return getRedemption(tx, id)
}

// CommitHeld implements policies.Holder: through the commit loop, in the
// transaction of the redemptions around it. held's committed form is
// encoded here, on the caller's goroutine, so that the loop (one
// redemption at a time) only checks the hold still stands.
func (s *Store) CommitHeld(ctx context.Context, held, r *policies.Redemption) (*policies.Redemption, bool, map[string]policies.Reason, error) {
	r.Status = policies.Redeemed
	req := &commitReq{r: r, held: held.ID, done: make(chan commitRes, 1)}
	if held.Status == policies.Held && held.ExpiresAt != nil {
		c := *held
		c.Status, c.CommittedAs = policies.Committed, r.ID
		committed, err := encodeRedemption(&c)
		if err != nil {
			return nil, false, nil, err
		}
		req.pre = &heldRecord{r: held, committed: committed}
	}
	stored, replayed, exhausted, err := s.enqueue(ctx, req)
	if err != nil || len(exhausted) == 0 { // it stands no more (or never did)
		s.holds.drop(held.ID)
	}
	return stored, replayed, exhausted, err
}

// heldRecord is a reservation as the caller read it, with its committed
// form encoded.
type heldRecord struct {
	r         *policies.Redemption
	committed []byte // r as committed to the redemption being committed
}

// heldFor is req's reservation as the transaction sees it: the caller's
// record while its hold stands (a held record does not change, and its
// index entry goes when it stops being held), else the one stored.
func heldFor(tx *bolt.Tx, req *commitReq) (*policies.Redemption, []byte, error) {
	if p := req.pre; p != nil && p.r.ID == req.held && tx.Bucket(bHolds).Get(holdKey(p.r)) != nil {
		return p.r, p.committed, nil
	}
	r, err := getReservation(tx, req.held)
	return r, nil, err
}

// applyHeld commits req.r in place of the reservation it names: the hold
// is given back and r checked and taken as a plain redemption; if r cannot
// have its limits, the hold is taken again by the same take (nothing of
// this redemption changed the file, and the hold stands as it was).
func (s *Store) applyHeld(tx *bolt.Tx, req *commitReq) (commitRes, error) {
	r := req.r
	held, committed, err := heldFor(tx, req)
	if err != nil {
		return commitRes{err: err}, nil
	}
	switch {
	case held.Status == policies.Committed:
		prev, err := getReplay(tx, held.CommittedAs)
		return commitRes{stored: prev, replayed: true}, err
	case held.Status == policies.Released:
		return commitRes{err: fmt.Errorf("%w: %s", policies.ErrReservationReleased, held.ID)}, nil
	case held.Status == policies.HoldExpired || !s.now().Before(*held.ExpiresAt):
		return commitRes{err: fmt.Errorf("%w: %s", policies.ErrReservationExpired, held.ID)}, nil
	case held.CustomerID != r.CustomerID:
		return commitRes{err: fmt.Errorf("%w: %s", policies.ErrReservationMismatch, held.ID)}, nil
	}
	at := s.now()
	if err := s.give(tx, held, at); err != nil {
		return commitRes{}, err
	}
	used, exhausted, err := s.checkAll(tx, req)
	if err != nil {
		return commitRes{}, err
	}
	if len(exhausted) > 0 {
		return commitRes{exhausted: exhausted}, s.retake(tx, held)
	}
	res, err := s.write(tx, req, used)
	if err != nil {
		return res, err
	}
	if committed == nil { // not read before queueing, or changed since
		c := *held
		c.Status, c.CommittedAs, c.ReleasedAt = policies.Committed, r.ID, nil
		if committed, err = encodeRedemption(&c); err != nil {
			return commitRes{}, err
		}
	}
	if err := tx.Bucket(bHolds).Delete(holdKey(held)); err != nil {
		return commitRes{}, err
	}
	return res, tx.Bucket(bHeldRecs).Put([]byte(held.ID), committed)
}

// retake takes a hold again after give, in the same transaction.
func (s *Store) retake(tx *bolt.Tx, held *policies.Redemption) error {
	used := make([]policies.Used, len(held.Campaigns))
	for i := range held.Campaigns {
		used[i] = readUsage(tx, held.Campaigns[i].Campaign, held.CustomerID)
	}
	return s.take(tx, held, used, nil)
}

// closeHold stores a reservation that holds nothing any more and drops it
// from the expiry index.
func (s *Store) closeHold(tx *bolt.Tx, held *policies.Redemption) error {
	if err := tx.Bucket(bHolds).Delete(holdKey(held)); err != nil {
		return err
	}
	return putRedemption(tx, held)
}

// Release implements policies.Holder: the rollback's give, once.
func (s *Store) Release(_ context.Context, id string, at time.Time, status policies.RedemptionStatus) (*policies.Redemption, error) {
	var r *policies.Redemption
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		r, err = s.release(tx, id, at, status)
		return err
	})
	s.holds.drop(id)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Store) release(tx *bolt.Tx, id string, at time.Time, status policies.RedemptionStatus) (*policies.Redemption, error) {
	r, err := getReservation(tx, id)
	if err != nil || r.Status != policies.Held {
		return r, err
	}
	if status == policies.Released && !at.Before(*r.ExpiresAt) {
		status = policies.HoldExpired // its expiry came first
	}
	if err := s.give(tx, r, at); err != nil {
		return nil, err
	}
	t := at.UTC()
	r.Status, r.ReleasedAt = status, &t
	return r, s.closeHold(tx, r)
}
