package store

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// owned is what a redemption did to its customer's wallet, so that its
// rollback undoes exactly that, once.
type owned struct {
	Lots  []uint64 `json:"lots,omitempty"`  // lots its points effects credited
	Takes []take   `json:"takes,omitempty"` // points its rewards spent
}

// checkRewards finds the rewards of r that its wallet or their stock
// cannot pay for, keyed by policies.RewardKey. It writes nothing. A
// reward's stock is a limit the Limiter checks (StockLimit): the units
// claimed on this node for a lone one, the escrowed units held here for a
// fleet's node.
func (s *Store) checkRewards(tx *bolt.Tx, esc *FleetTx, r *policies.Redemption, out map[string]policies.Reason) (map[string]policies.Reason, error) {
	if len(r.Rewards) == 0 {
		return out, nil
	}
	bal, _ := balanceAt(tx, wprefix(r.CustomerID), nanos(r.CreatedAt))
	fail := func(id string, why policies.Reason) {
		if out == nil {
			out = map[string]policies.Reason{}
		}
		out[policies.RewardKey(id)] = why
	}
	var need int64
	for i := range r.Rewards {
		rw := &r.Rewards[i]
		inStock, err := s.inStock(tx, esc, rw)
		if err != nil {
			return nil, err
		}
		if !inStock {
			fail(rw.Reward, policies.OutOfStock)
			continue
		}
		if need+rw.Points > bal {
			fail(rw.Reward, policies.InsufficientPoints)
			continue
		}
		need += rw.Points
	}
	return out, nil
}

// inStock asks the Limiter whether one more unit of rw can be had here.
func (s *Store) inStock(tx *bolt.Tx, esc *FleetTx, rw *policies.RedeemedReward) (bool, error) {
	if rw.Stock <= 0 {
		return true, nil
	}
	claimed := int64(getU64(tx.Bucket(bWStock).Get([]byte(rw.Reward))))
	why, err := s.limiter.Check(esc, rw.StockLimit(), "", policies.Used{Redemptions: claimed})
	if err != nil {
		return false, fmt.Errorf("checking the stock of %s: %w", rw.Reward, err)
	}
	return why == "", nil
}

// takeStock counts one unit of rw claimed and spends it from the
// Limiter (n = -1 gives it back, a rollback).
func (s *Store) takeStock(tx *bolt.Tx, esc *FleetTx, rw *policies.RedeemedReward, n int64) error {
	if rw.Stock <= 0 {
		return nil // unlimited: nothing to count
	}
	take := s.limiter.Take
	if n < 0 {
		take = s.limiter.Give
	}
	if err := take(esc, rw.StockLimit(), ""); err != nil {
		return fmt.Errorf("the stock of %s: %w", rw.Reward, err)
	}
	return addStock(tx, rw.Reward, n)
}

// applyWallet spends r's rewards and credits its points effects as lots,
// in r's transaction, recording both for a rollback.
func (s *Store) applyWallet(tx *bolt.Tx, esc *FleetTx, r *policies.Redemption) error {
	if r.CustomerID == "" {
		return nil
	}
	var o owned
	for i := range r.Rewards {
		rw := &r.Rewards[i]
		takes, err := spend(tx, r.CustomerID, rw.Points, r.CreatedAt, policies.TxReward, r.ID+" "+rw.Reward)
		if err != nil {
			return fmt.Errorf("spending points on %s: %w", rw.Reward, err) // checkRewards said it could
		}
		o.Takes = append(o.Takes, takes...)
		if err := s.takeStock(tx, esc, rw, 1); err != nil {
			return err
		}
	}
	terms := policies.LotTerms{Active: r.CreatedAt}
	if r.PointsTerms != nil {
		terms = *r.PointsTerms
	}
	for _, c := range r.Campaigns {
		if c.Points <= 0 || r.Status == policies.Held { // a hold earns nothing yet
			continue
		}
		id, err := credit(tx, r.CustomerID, c.Points, terms, r.CreatedAt, policies.TxEarn, r.ID+" "+c.Campaign)
		if err != nil {
			return err
		}
		o.Lots = append(o.Lots, id)
	}
	if len(o.Lots) == 0 && len(o.Takes) == 0 {
		return nil
	}
	raw, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return tx.Bucket(bWOwned).Put([]byte(r.ID), raw)
}

// rollbackWallet gives back what r spent and takes back what it credited.
// The caller runs it once, when r turns rolled back.
func (s *Store) rollbackWallet(tx *bolt.Tx, esc *FleetTx, r *policies.Redemption, at time.Time) error {
	raw := tx.Bucket(bWOwned).Get([]byte(r.ID))
	if raw == nil {
		return nil
	}
	var o owned
	if err := json.Unmarshal(raw, &o); err != nil {
		return fmt.Errorf("%w: %v", errCorrupt, err)
	}
	if len(o.Takes) > 0 {
		if err := giveBack(tx, r.CustomerID, o.Takes, at, r.ID); err != nil {
			return err
		}
		for i := range r.Rewards {
			if err := s.takeStock(tx, esc, &r.Rewards[i], -1); err != nil {
				return err
			}
		}
	}
	for _, id := range o.Lots {
		if err := takeBack(tx, r.CustomerID, id, at, r.ID); err != nil {
			return err
		}
	}
	return nil
}

func addStock(tx *bolt.Tx, reward string, n int64) error {
	b := tx.Bucket(bWStock)
	cur := int64(getU64(b.Get([]byte(reward))))
	return b.Put([]byte(reward), u64(uint64(max(cur+n, 0))))
}
