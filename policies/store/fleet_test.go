package store

import (
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// TestMigrateFleet opens a file in the layout of schema 2, whose fleet
// buckets the cluster wrote itself, byte for byte as it did: everything
// reads back through the store's API, and a file without them gets them.
func TestMigrateFleet(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s := open(t, path)
	s.Close()
	be := func(vs ...int64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.BigEndian.AppendUint64(b, uint64(v))
		}
		return b
	}
	str := func(b []byte, s string) []byte { return append(binary.AppendUvarint(b, uint64(len(s))), s...) }
	outbox := binary.AppendVarint(append(str(str(nil, "n2"), "promo\x00AB-1"), 'c'), 1)
	hint := str(binary.AppendUvarint([]byte{1}, 77), "n1")
	old := map[string]map[string][]byte{
		"cluster_rights":   {"promo\x00n": be(7, 3), "promo\x00b": be(500, 20), "promo\x00AB-1\x00c": be(0, 1)},
		"cluster_minted":   {"promo\x00n": be(10)},
		"cluster_outbox":   {"n1/abc/4": outbox},
		"cluster_inbox":    {"n0/def/9": be(1700000000)},
		"cluster_meta":     {"file": []byte("abc"), "seq": be(4)},
		"cluster_code_use": {"promo\x00AB-1\x00c": hint},
		"cluster_switches": {"promo": []byte{1, 5, 1, 'x'}},
	}
	oldFile(t, path, 2, func(tx *bolt.Tx) error {
		for _, name := range fleetBuckets {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		for name, kv := range old {
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			for k, v := range kv {
				if err := b.Put([]byte(k), v); err != nil {
					return err
				}
			}
		}
		return nil
	})

	s = open(t, path)
	count := policies.RightsKey{Campaign: "promo", Kind: policies.LimitRedemptions}
	code := policies.RightsKey{Campaign: "promo", Code: "AB-1", Kind: policies.LimitCode}
	err := s.UpdateFleet(func(f *FleetTx) error {
		if got := f.Rights(count); got != (policies.Rights{Held: 7, Consumed: 3}) {
			t.Errorf("rights: %+v", got)
		}
		if got := f.Rights(policies.RightsKey{Campaign: "promo", Kind: policies.LimitBudget}); got.Held != 500 {
			t.Errorf("budget rights: %+v", got)
		}
		if got := f.Rights(code); got.Consumed != 1 {
			t.Errorf("code rights: %+v", got)
		}
		if got := f.Minted(count); got != 10 {
			t.Errorf("minted %d", got)
		}
		if id, err := f.FileID(); id != "abc" || err != nil {
			t.Errorf("file id %q, %v", id, err)
		}
		if seq, err := f.NextTransfer(); seq != 5 || err != nil {
			t.Errorf("next transfer %d, %v", seq, err)
		}
		if !f.Credited("n0/def/9") || f.Credited("n0/def/10") {
			t.Error("the inbox was not read")
		}
		n := 0
		err := f.EachOutgoing(func(id string, tr *Transfer) error {
			n++
			if id != "n1/abc/4" || *tr != (Transfer{To: "n2", Key: code, Amount: 1}) {
				t.Errorf("outbox: %s %+v", id, tr)
			}
			return nil
		})
		if n != 1 || err != nil {
			t.Errorf("%d transfers, %v", n, err)
		}
		keys := 0
		_ = f.EachRights(func(policies.RightsKey, policies.Rights) error { keys++; return nil })
		if keys != 3 {
			t.Errorf("%d limits with rights, want 3", keys)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if h, ok, err := s.CodeUseHint("promo", "AB-1"); !ok || err != nil || h != (CodeUseHint{Used: true, Stamp: 77, Node: "n1"}) {
		t.Errorf("hint %+v %v %v", h, ok, err)
	}
	// Written back, the records are the bytes the cluster wrote.
	err = s.UpdateFleet(func(f *FleetTx) error {
		if err := f.PutOutgoing("n1/abc/4", &Transfer{To: "n2", Key: code, Amount: 1}); err != nil {
			return err
		}
		if string(f.tx.Bucket(bOutbox).Get([]byte("n1/abc/4"))) != string(outbox) {
			t.Error("a transfer's record changed")
		}
		if string(rightsKey(code)) != "promo\x00AB-1\x00c" {
			t.Errorf("rights key %q", rightsKey(code))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(appendHint(CodeUseHint{Used: true, Stamp: 77, Node: "n1"})) != string(hint) {
		t.Error("a hint's record changed")
	}
	s.Close()

	// A file that never had a fleet gets the buckets on migration.
	oldFile(t, path, 2, func(tx *bolt.Tx) error {
		for _, name := range fleetBuckets {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
		}
		return nil
	})
	s = open(t, path)
	if err := s.UpdateFleet(func(f *FleetTx) error { return f.PutCredited("x", time.Now()) }); err != nil {
		t.Fatal(err)
	}
}
