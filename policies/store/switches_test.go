package store

import (
	"bytes"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// TestSwitchboardSurvivesRestart: a lone sidecar's kill switch
// (policies.Switchboard over the store) is kept in
// the file, in the bucket and encoding the cluster wrote before the store
// owned them, so older files keep their switches.
func TestSwitchboardSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s := open(t, path)
	sb, err := policies.OpenSwitchboard(s, "local", nil)
	if err != nil {
		t.Fatal(err)
	}
	if sb.Disabled("c") {
		t.Fatal("disabled before any change")
	}
	if err := sb.Set("c", true); err != nil || !sb.Disabled("c") || sb.Disabled("d") {
		t.Fatalf("set: %v, c %v, d %v", err, sb.Disabled("c"), sb.Disabled("d"))
	}
	s.Close()
	s = open(t, path)
	sb, err = policies.OpenSwitchboard(s, "local", nil)
	if err != nil || !sb.Disabled("c") {
		t.Fatalf("after restart: %v %v", sb.Disabled("c"), err)
	}
	first := sb.All()["c"]
	if err := sb.Set("c", false); err != nil || sb.Disabled("c") {
		t.Fatalf("enable: %v", err)
	}
	if now := sb.All()["c"]; now.Stamp <= first.Stamp || now.Node != "local" {
		t.Fatalf("stamps %+v then %+v", first, now)
	}
}

func TestSwitchEncoding(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "p.db"))
	// Disabled, stamp 300 (uvarint ac 02), node "n1" (length 2).
	old := []byte{1, 0xac, 0x02, 2, 'n', '1'}
	if err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte("cluster_switches"))
		if err != nil {
			return err
		}
		return b.Put([]byte("c"), old)
	}); err != nil {
		t.Fatal(err)
	}
	all, err := s.Switches()
	if want := (policies.Switch{Disabled: true, Stamp: 300, Node: "n1"}); err != nil || all["c"] != want {
		t.Fatalf("read %+v %v, want %+v", all, err, want)
	}
	if got := encodeSwitch(all["c"]); !bytes.Equal(got, old) {
		t.Fatalf("encoded % x, want % x", got, old)
	}
	for _, short := range [][]byte{nil, {1}, {1, 0xac}, {0, 5, 9, 'x'}} {
		decodeSwitch(short) // never panics
	}
	if got := decodeSwitch([]byte{1, 5, 9, 'x'}); got != (policies.Switch{Disabled: true, Stamp: 5}) {
		t.Fatalf("short node: %+v", got)
	}
}
