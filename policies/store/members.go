package store

import (
	"maps"

	bolt "go.etcd.io/bbolt"
)

// bMembers remembers the fleet this file's node belonged to, so that a
// node restarted without --join (the seed) finds it again: name -> the
// HOST:PORT it was last seen at. Schema 4.
var bMembers = []byte("cluster_members")

// Members returns the members remembered, by name.
func (f *FleetTx) Members() map[string]string {
	out := map[string]string{}
	_ = f.tx.Bucket(bMembers).ForEach(func(k, v []byte) error {
		out[string(k)] = string(v)
		return nil
	})
	return out
}

// PutMembers makes the members remembered exactly those of m (name ->
// HOST:PORT).
func (f *FleetTx) PutMembers(m map[string]string) error {
	if maps.Equal(f.Members(), m) {
		return nil
	}
	if err := f.tx.DeleteBucket(bMembers); err != nil {
		return err
	}
	b, err := f.tx.CreateBucket(bMembers)
	if err != nil {
		return err
	}
	for name, addr := range m {
		if err := b.Put([]byte(name), []byte(addr)); err != nil {
			return err
		}
	}
	return nil
}

// migrateMembers (schema 3 to 4) adds the members' bucket, empty: a node
// learns its fleet again at its next join.
func migrateMembers(tx *bolt.Tx) error {
	_, err := tx.CreateBucketIfNotExists(bMembers)
	return err
}
