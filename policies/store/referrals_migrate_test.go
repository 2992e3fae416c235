package store

import (
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestMigrateSeen: a file of schema 5 lists, on opening, every customer
// with a redemption that stands as seen (so a customer who ordered before
// referrals existed is not new), and not one whose redemption was rolled
// back or an anonymous one.
func TestMigrateSeen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s := open(t, path)
	s.Close()
	oldFile(t, path, 5, func(tx *bolt.Tx) error {
		b := tx.Bucket(bRedemptions)
		for id, rec := range map[string]string{
			"rd_1": `{"redemption_id":"rd_1","customer_id":"old","status":"redeemed"}`,
			"rd_2": `{"redemption_id":"rd_2","customer_id":"gone","status":"rolled_back"}`,
			"rd_3": `{"redemption_id":"rd_3","customer_id":"","status":"redeemed"}`,
		} {
			if err := b.Put([]byte(id), []byte(rec)); err != nil {
				return err
			}
		}
		return nil
	})
	s = open(t, path)
	_ = s.db.View(func(tx *bolt.Tx) error {
		seen := tx.Bucket(bSeen)
		if string(seen.Get([]byte("old"))) != "rd_1" || seen.Get([]byte("gone")) != nil || seen.Stats().KeyN != 1 {
			t.Errorf("seen after the migration: old=%q gone=%q, %d keys", seen.Get([]byte("old")), seen.Get([]byte("gone")), seen.Stats().KeyN)
		}
		if v := getU64(tx.Bucket(bMeta).Get([]byte("schema"))); v != SchemaVersion {
			t.Errorf("schema %d", v)
		}
		return nil
	})
}
