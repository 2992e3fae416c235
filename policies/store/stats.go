package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies/stats"
)

// The campaign statistics (policies/stats): this node's rows and the
// copies of other nodes' rows, and the exact sets of customers an
// experiment's variants counted on this node.
var (
	// key (statsKey) node -> Counts JSON; node "" is this file's own row.
	bStats = []byte("stats")
	// campaign \0 phase \0 variant \0 kind ('c' exposed, 'r' redeeming) hash (8) -> empty
	bStatsSeen   = []byte("stats_seen")
	statsBuckets = [][]byte{bStats, bStatsSeen}
)

var _ stats.Keeper = (*Store)(nil)

// statsKey is k's key prefix: campaign \0 day (4, big-endian, offset so
// that dates sort) phase \0 variant \0; the node's name follows.
func statsKey(k stats.Key, node string) []byte {
	b := make([]byte, 0, len(k.Campaign)+len(k.Phase)+len(k.Variant)+len(node)+8)
	b = append(b, k.Campaign...)
	b = append(b, 0)
	b = binary.BigEndian.AppendUint32(b, uint32(k.Day)^1<<31)
	b = append(b, k.Phase...)
	b = append(b, 0)
	b = append(b, k.Variant...)
	b = append(b, 0)
	return append(b, node...)
}

// parseStatsKey reads what statsKey wrote.
func parseStatsKey(b []byte) (k stats.Key, node string, err error) {
	i := bytes.IndexByte(b, 0)
	if i < 0 || len(b) < i+5 {
		return k, "", fmt.Errorf("store: a malformed stats key %q", b)
	}
	k.Campaign = string(b[:i])
	k.Day = stats.Day(binary.BigEndian.Uint32(b[i+1:]) ^ 1<<31)
	parts := bytes.SplitN(b[i+5:], []byte{0}, 3)
	if len(parts) != 3 {
		return k, "", fmt.Errorf("store: a malformed stats key %q", b)
	}
	k.Phase, k.Variant, node = string(parts[0]), string(parts[1]), string(parts[2])
	return k, node, nil
}

func seenKey(k stats.Key, kind byte, h uint64) []byte {
	b := make([]byte, 0, len(k.Campaign)+len(k.Phase)+len(k.Variant)+12)
	b = append(b, k.Campaign...)
	b = append(b, 0)
	b = append(b, k.Phase...)
	b = append(b, 0)
	b = append(b, k.Variant...)
	b = append(b, 0, kind)
	return binary.BigEndian.AppendUint64(b, h)
}

// getCounts is key's row (zero when there is none).
func getCounts(b *bolt.Bucket, key []byte) (stats.Counts, error) {
	raw := b.Get(key)
	if raw == nil {
		return stats.Counts{}, nil
	}
	return decodeCounts(key, raw)
}

func decodeCounts(key, raw []byte) (stats.Counts, error) {
	var c stats.Counts
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("store: reading stats %q: %w", key, err)
	}
	return c, nil
}

func putCounts(b *bolt.Bucket, key []byte, c *stats.Counts) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return b.Put(key, raw)
}

// Add implements stats.Keeper: deltas are added to this file's own rows
// in one transaction; the customers' hashes are counted exactly (a set
// per variant) and in the row's sketches.
func (s *Store) Add(_ context.Context, deltas []stats.Delta) error {
	if len(deltas) == 0 {
		return nil
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, seen := tx.Bucket(bStats), tx.Bucket(bStatsSeen)
		for i := range deltas {
			d := &deltas[i]
			key := statsKey(d.Key, "")
			c, err := getCounts(b, key)
			if err != nil {
				return err
			}
			if c.Started == 0 {
				c.Started = s.now().UnixNano()
			}
			c.Add(&d.Counts)
			if err := countSeen(seen, d.Key, 'c', d.Customers, &c.Customers, &c.CustomerSketch); err != nil {
				return err
			}
			if err := countSeen(seen, d.Key, 'r', d.Redeemers, &c.Redeemers, &c.RedeemerSketch); err != nil {
				return err
			}
			if err := putCounts(b, key, &c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: adding stats: %w", err)
	}
	return nil
}

// countSeen adds the hashes not seen before to the exact count and to the
// sketch.
func countSeen(seen *bolt.Bucket, k stats.Key, kind byte, hashes []uint64, exact *int64, sk **stats.Sketch) error {
	if len(hashes) == 0 {
		return nil
	}
	if *sk == nil {
		*sk = stats.NewSketch()
	}
	for _, h := range hashes {
		key := seenKey(k, kind, h)
		if seen.Get(key) != nil {
			continue
		}
		if err := seen.Put(key, nil); err != nil {
			return err
		}
		*exact++
		(*sk).Add(h)
	}
	return nil
}

// MergeStats keeps node's rows, merging each with the copy already kept
// (field by field, max: a newer copy wins, an older one changes nothing).
func (s *Store) MergeStats(node string, rows []stats.Row) error {
	if node == "" {
		return fmt.Errorf("store: merging stats of a node with no name")
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bStats)
		for i := range rows {
			key := statsKey(rows[i].Key, node)
			c, err := getCounts(b, key)
			if err != nil {
				return err
			}
			c.Merge(&rows[i].Counts)
			if err := putCounts(b, key, &c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: merging the stats of %s: %w", node, err)
	}
	return nil
}

// EachStats calls fn with every row kept, this file's own ones with node
// "", whose key keep accepts (nil: all).
func (s *Store) EachStats(keep func(stats.Key) bool, fn func(node string, r stats.Row) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bStats).ForEach(func(key, raw []byte) error {
			k, node, err := parseStatsKey(key)
			if err != nil {
				return err
			}
			if keep != nil && !keep(k) {
				return nil
			}
			c, err := decodeCounts(key, raw)
			if err != nil {
				return err
			}
			return fn(node, stats.Row{Key: k, Counts: c})
		})
	})
}

// Own is this file's own rows of keys.
func (s *Store) Own(keys []stats.Key) ([]stats.Row, error) {
	out := make([]stats.Row, 0, len(keys))
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bStats)
		for _, k := range keys {
			c, err := getCounts(b, statsKey(k, ""))
			if err != nil {
				return err
			}
			out = append(out, stats.Row{Key: k, Counts: c})
		}
		return nil
	})
	return out, err
}

// Days implements stats.Keeper.
func (s *Store) Days(_ context.Context, campaign string, from, to stats.Day) ([]stats.Row, error) {
	return s.sum(func(k stats.Key) bool {
		return !k.Experiment() && k.Day >= from && k.Day <= to && (campaign == "" || k.Campaign == campaign)
	})
}

// Variants implements stats.Keeper.
func (s *Store) Variants(_ context.Context, campaign, phase string) ([]stats.Row, error) {
	return s.sum(func(k stats.Key) bool {
		return k.Experiment() && k.Campaign == campaign && k.Phase == phase
	})
}

// sum adds, per key, the rows of every node that keep accepts.
func (s *Store) sum(keep func(stats.Key) bool) ([]stats.Row, error) {
	byKey := map[stats.Key]*stats.Row{}
	err := s.EachStats(keep, func(_ string, r stats.Row) error {
		acc, ok := byKey[r.Key]
		if !ok {
			r.Nodes = 1
			byKey[r.Key] = &r
			return nil
		}
		acc.Sum(&r.Counts)
		acc.Nodes++
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]stats.Row, 0, len(byKey))
	for _, r := range byKey {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Key, out[j].Key
		if a.Campaign != b.Campaign {
			return a.Campaign < b.Campaign
		}
		if a.Day != b.Day {
			return a.Day < b.Day
		}
		return a.Variant < b.Variant
	})
	return out, nil
}
