package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// Replay implements policies.Committer.
func (s *Store) Replay(_ context.Context, key string) (*policies.Redemption, bool, error) {
	var r *policies.Redemption
	err := s.db.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bIdempotency).Get([]byte(key))
		if id == nil {
			return nil
		}
		var err error
		r, err = getReplay(tx, string(id))
		return err
	})
	return r, r != nil, err
}

// Redemption returns one redemption by id.
func (s *Store) Redemption(_ context.Context, id string) (*policies.Redemption, error) {
	var r *policies.Redemption
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		r, err = getRedemption(tx, id)
		return err
	})
	return r, err
}

// Rollback implements policies.Committer: the first call gives everything
// back; later calls return the rolled back redemption unchanged.
func (s *Store) Rollback(_ context.Context, id string, at time.Time) (*policies.Redemption, error) {
	var r *policies.Redemption
	err := s.db.Update(func(tx *bolt.Tx) error {
		var err error
		if r, err = getRedemption(tx, id); err != nil || r.Status == policies.RolledBack {
			return err
		}
		if r.Status != policies.Redeemed { // a reservation: DELETE /v1/reservations/{id}
			return fmt.Errorf("%w: %q is a reservation", policies.ErrUnknownRedemption, id)
		}
		if err := s.give(tx, r, at); err != nil {
			return err
		}
		if err := rollbackReferral(tx, r, at); err != nil {
			return err
		}
		t := at.UTC()
		r.Status, r.RolledBackAt = policies.RolledBack, &t
		if err := putRedemption(tx, r); err != nil {
			return err
		}
		if err := appendLedger(tx, at, r.ID, policies.RolledBack); err != nil {
			return err
		}
		if !s.hooked.Load() {
			return nil
		}
		n, err := redemptionNotice(policies.NoticeRedemptionRolledBack, r, at)
		if err != nil {
			return err
		}
		return s.emit(tx, []policies.Notice{n})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// give gives back everything r took (take in commit.go): the one path
// by which a rollback, or a reservation's release, returns anything.
func (s *Store) give(tx *bolt.Tx, r *policies.Redemption, at time.Time) error {
	esc := &FleetTx{tx}
	for i := range r.Campaigns {
		c := &r.Campaigns[i]
		if err := s.limiter.Give(esc, c, r.CustomerID); err != nil {
			return fmt.Errorf("giving back limits of %s: %w", c.Campaign, err)
		}
		if err := addUsage(tx, c, r.CustomerID, readUsage(tx, c.Campaign, r.CustomerID), -1); err != nil {
			return err
		}
		if err := addPeriodUsage(tx, c, r.CustomerID, -1); err != nil { // periods.go
			return err
		}
		if c.UniqueCode {
			if err := useCode(tx, c.Code, r.CustomerID, -1); err != nil {
				return err
			}
		}
	}
	if err := rollbackCards(tx, r, at); err != nil { // giftcards.go
		return err
	}
	return s.rollbackWallet(tx, esc, r, at)
}

func getRedemption(tx *bolt.Tx, id string) (*policies.Redemption, error) {
	records, _ := recordBuckets(id)
	raw := tx.Bucket(records).Get([]byte(id))
	if raw == nil {
		return nil, fmt.Errorf("%w: %q", policies.ErrUnknownRedemption, id)
	}
	var r policies.Redemption
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("store: redemption %s is corrupt: %w", id, err)
	}
	return &r, nil
}

// getReplay is a redemption with the answer it gave, for a replay.
func getReplay(tx *bolt.Tx, id string) (*policies.Redemption, error) {
	r, err := getRedemption(tx, id)
	if err != nil {
		return nil, err
	}
	_, answers := recordBuckets(id)
	r.Response = bytes.Clone(tx.Bucket(answers).Get([]byte(id)))
	return r, nil
}

// putRedemption stores r.
func putRedemption(tx *bolt.Tx, r *policies.Redemption) error {
	raw, err := encodeRedemption(r)
	if err != nil {
		return err
	}
	return putRecord(tx, r.ID, raw, r.Response)
}

// putRecord stores an encoded redemption; its response goes to its own
// bucket as it is, not escaped inside the record.
func putRecord(tx *bolt.Tx, id string, record, response []byte) error {
	if id == "" {
		return errors.New("redemption without an id")
	}
	records, answers := recordBuckets(id)
	if err := tx.Bucket(records).Put([]byte(id), record); err != nil {
		return err
	}
	if response == nil {
		return nil
	}
	return tx.Bucket(answers).Put([]byte(id), response)
}

// encodeRedemption is the stored form of r (its response is not part of
// it: the response bucket holds it).
func encodeRedemption(r *policies.Redemption) ([]byte, error) { return json.Marshal(r) }
