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
// cannot pay for, keyed by policies.RewardKey. It writes nothing.
func checkRewards(tx *bolt.Tx, r *policies.Redemption, out map[string]policies.Reason) map[string]policies.Reason {
	if len(r.Rewards) == 0 {
		return out
	}
	bal, _ := balanceAt(tx, wprefix(r.CustomerID), nanos(r.CreatedAt))
	fail := func(id string, why policies.Reason) {
		if out == nil {
			out = map[string]policies.Reason{}
		}
		out[policies.RewardKey(id)] = why
	}
	var need int64
	for _, rw := range r.Rewards {
		if rw.Stock > 0 && int64(getU64(tx.Bucket(bWStock).Get([]byte(rw.Reward)))) >= rw.Stock {
			fail(rw.Reward, policies.OutOfStock)
			continue
		}
		if need+rw.Points > bal {
			fail(rw.Reward, policies.InsufficientPoints)
			continue
		}
		need += rw.Points
	}
	return out
}

// applyWallet spends r's rewards and credits its points effects as lots,
// in r's transaction, recording both for a rollback.
func applyWallet(tx *bolt.Tx, r *policies.Redemption) error {
	if r.CustomerID == "" {
		return nil
	}
	var o owned
	for _, rw := range r.Rewards {
		takes, err := spend(tx, r.CustomerID, rw.Points, r.CreatedAt, policies.TxReward, r.ID+" "+rw.Reward)
		if err != nil {
			return fmt.Errorf("spending points on %s: %w", rw.Reward, err) // checkRewards said it could
		}
		o.Takes = append(o.Takes, takes...)
		if rw.Stock == 0 {
			continue // unlimited: nothing to count
		}
		if err := addStock(tx, rw.Reward, 1); err != nil {
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
func rollbackWallet(tx *bolt.Tx, r *policies.Redemption, at time.Time) error {
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
		for _, rw := range r.Rewards {
			if rw.Stock == 0 {
				continue
			}
			if err := addStock(tx, rw.Reward, -1); err != nil {
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
