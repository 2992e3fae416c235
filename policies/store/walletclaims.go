package store

import (
	"context"
	"encoding/binary"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

var _ policies.WalletWriter = (*Store)(nil)

// Claim implements policies.WalletWriter.
func (s *Store) Claim(_ context.Context, c *policies.Claim) (*policies.ClaimResult, error) {
	var out *policies.ClaimResult
	err := s.db.Update(func(tx *bolt.Tx) error {
		k := []byte("claim\x00" + c.IdempotencyKey)
		body := []byte(c.Customer + "\x00" + c.Reward.ID)
		if prev := tx.Bucket(bWKeys).Get(k); prev != nil {
			return replayKeyed(prev, body, &out)
		}
		rw := c.Reward
		unit := &policies.RedeemedReward{Reward: rw.ID, Points: rw.Points, Stock: rw.Stock}
		esc := &FleetTx{tx}
		switch ok, err := s.inStock(tx, esc, unit); {
		case err != nil:
			return err
		case !ok:
			return policies.ErrOutOfStock
		}
		if _, err := spend(tx, c.Customer, rw.Points, c.At, policies.TxReward, "reward "+rw.ID); err != nil {
			return err
		}
		if err := s.takeStock(tx, esc, unit, 1); err != nil {
			return err
		}
		bal, _ := balanceAt(tx, wprefix(c.Customer), nanos(c.At))
		out = &policies.ClaimResult{Reward: rw.ID, PointsSpent: rw.Points, Balance: bal, Donation: rw.Donation}
		if c.Card != nil {
			code, err := issueRewardCard(tx, c)
			if err != nil {
				return err
			}
			out.GiftCard = &policies.ClaimedCard{Code: code, Balance: c.Card.Terms.Amount}
		}
		return putKeyed(tx, k, body, out)
	})
	return out, err
}

// Earn implements policies.WalletWriter: an event recorded with its
// earning and no triggers, through RecordEvent (events.go), so that an
// event is keyed, replayed and reported in one place.
func (s *Store) Earn(ctx context.Context, ev *policies.EarnEvent) (*policies.EarnResult, error) {
	doc := map[string]any{"id": ev.ID, "type": ev.Type, "customer_id": ev.Customer}
	return s.RecordEvent(ctx, &policies.EventRecord{
		Event: &policies.Event{ID: ev.ID, Type: ev.Type, CustomerID: ev.Customer, At: ev.At, Doc: doc}, Earn: ev})
}

func earn(tx *bolt.Tx, ev *policies.EarnEvent) (*policies.EarnResult, error) {
	out := &policies.EarnResult{Event: ev.ID, Triggers: []policies.TriggerState{}}
	if ev.Earning.Points <= 0 {
		return out, nil // a type the program does not reward
	}
	dk := binary.BigEndian.AppendUint64(append(wprefix(ev.Customer), ev.Type+"\x00"...), uint64(ev.Day))
	n := int64(getU64(tx.Bucket(bWDaily).Get(dk)))
	if cap := ev.Earning.PerCustomerPerDay; cap > 0 && n >= cap {
		out.Capped = true
		return out, nil
	}
	if err := tx.Bucket(bWDaily).Put(dk, u64(uint64(n+1))); err != nil {
		return nil, err
	}
	source := "event " + ev.ID + " " + ev.Type + " day " + strconv.FormatInt(ev.Day, 10)
	if _, err := credit(tx, ev.Customer, ev.Earning.Points, ev.Terms, ev.At, policies.TxEarn, source); err != nil {
		return nil, err
	}
	out.Points = ev.Earning.Points
	return out, nil
}
