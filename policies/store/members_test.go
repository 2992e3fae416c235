package store

import (
	"maps"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// TestMembersSurviveAndMigrate: the members a node saw are in the file at
// its next start, and a schema 3 file (no members' bucket) migrates to one.
func TestMembersSurviveAndMigrate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s := open(t, path)
	want := map[string]string{"n1": "10.0.0.1:7946", "n2": "10.0.0.2:7946"}
	if err := s.UpdateFleet(func(f *FleetTx) error { return f.PutMembers(want) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path)
	var got map[string]string
	_ = s.ViewFleet(func(f *FleetTx) error { got = f.Members(); return nil })
	if !maps.Equal(got, want) {
		t.Fatalf("members after a restart: %v, want %v", got, want)
	}
	s.Close()
	oldFile(t, path, 3, func(tx *bolt.Tx) error { return tx.DeleteBucket(bMembers) })
	s = open(t, path)
	_ = s.ViewFleet(func(f *FleetTx) error { got = f.Members(); return nil })
	if len(got) != 0 {
		t.Fatalf("a migrated file remembers %v", got)
	}
}
