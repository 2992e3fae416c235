package store

import (
	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// What a fleet keeps in the file, beside the redemptions whose rights it
// counts: rights held (rights.go), transfers of rights (transfers.go),
// and code-use hints (codehints.go). The buckets keep the names the
// cluster gave them when it wrote them itself (schema 2 and before).
var (
	bRights      = []byte("cluster_rights")   // rights key -> held (8) consumed (8)
	bMinted      = []byte("cluster_minted")   // rights key -> minted so far (8), minter only
	bOutbox      = []byte("cluster_outbox")   // transfer id -> Transfer not yet acknowledged
	bInbox       = []byte("cluster_inbox")    // transfer id -> unix seconds credited (dedupe)
	bFleet       = []byte("cluster_meta")     // "file" -> this file's id; "seq" -> last transfer number
	bCodeUse     = []byte("cluster_code_use") // rights key of a code -> CodeUseHint
	fleetBuckets = [][]byte{bRights, bMinted, bOutbox, bInbox, bFleet, bCodeUse, bSwitches, bMembers}
)

// FleetTx is one transaction on what a fleet keeps in the file. During a
// redemption's commit it is the Escrow the store hands its Limiter, so
// rights change in the redemption's own transaction; UpdateFleet and
// ViewFleet open one of their own.
type FleetTx struct {
	tx *bolt.Tx
}

var _ policies.Escrow = (*FleetTx)(nil)

// UpdateFleet runs fn in a read-write transaction, committed durably if fn
// returns nil.
func (s *Store) UpdateFleet(fn func(*FleetTx) error) error {
	return s.db.Update(func(tx *bolt.Tx) error { return fn(&FleetTx{tx}) })
}

// ViewFleet runs fn in a read-only transaction; fn must not write.
func (s *Store) ViewFleet(fn func(*FleetTx) error) error {
	return s.db.View(func(tx *bolt.Tx) error { return fn(&FleetTx{tx}) })
}

// OnCommit implements policies.Escrow.
func (f *FleetTx) OnCommit(fn func()) { f.tx.OnCommit(fn) }

// migrateFleet (schema 2 to 3) brings the fleet's buckets under the
// store's schema: a file a cluster node wrote keeps them as they are (the
// records are the same), any other gets them empty.
func migrateFleet(tx *bolt.Tx) error {
	for _, name := range fleetBuckets {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}
