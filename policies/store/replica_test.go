package store

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/promoedge/promoedge/policies"
)

// readLog reads every chunk of s's code log.
func readLog(s *Store) ([]CodeChunk, error) {
	var out []CodeChunk
	for {
		chunks, err := s.CodeLog(uint64(len(out)), 1000)
		if err != nil || len(chunks) == 0 {
			return out, err
		}
		for _, ch := range chunks {
			out = append(out, *ch)
		}
	}
}

func generate(t *testing.T, s *Store, campaign string, n int) []string {
	t.Helper()
	var all []string
	err := s.Generate(context.Background(), campaign, policies.CodeSpec{Count: n, Pattern: "########", Prefix: "R-"}, func(b []string) error {
		all = append(all, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// TestCodeLogReplicates copies one store's generated codes into another
// through the code log, in order, once, keeping what exists.
func TestCodeLogReplicates(t *testing.T) {
	dir := t.TempDir()
	a, b := open(t, filepath.Join(dir, "a.db")), open(t, filepath.Join(dir, "b.db"))
	made := generate(t, a, "promo", 2*CodeChunkSize+5)
	if got := a.CodeSeq(); got != 3 {
		t.Fatalf("CodeSeq = %d, want 3 chunks", got)
	}
	own := generate(t, b, "other", 3) // b's own codes are not in a's log
	chunks, err := readLog(a)
	if err != nil || len(chunks) != 3 {
		t.Fatalf("CodeChunks: %d, %v", len(chunks), err)
	}
	var logged []string
	for _, ch := range chunks {
		logged = append(logged, ch.Codes...)
	}
	slices.Sort(logged)
	slices.Sort(made)
	if !slices.Equal(logged, made) {
		t.Fatalf("the log has %d codes, generation made %d", len(logged), len(made))
	}

	// A clash: b made one of a's codes itself, for another campaign.
	clash := chunks[1].Codes[7]
	if err := b.db.Update(func(tx *bolt.Tx) error {
		return putCode(tx, &policies.Code{Code: clash, Campaign: "mine", State: policies.CodeStateActive, MaxUses: 1})
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		chunk   *CodeChunk
		applied bool
		clashes int
	}{
		{"out of order", &chunks[1], false, 0},
		{"first", &chunks[0], true, 0},
		{"again", &chunks[0], false, 0},
		{"second, one clash", &chunks[1], true, 1},
		{"third", &chunks[2], true, 0},
	}
	for _, tc := range tests {
		applied, clashes, err := b.ApplyCodes("node-a", "file-a", tc.chunk)
		if err != nil || applied != tc.applied || clashes != tc.clashes {
			t.Errorf("%s: applied %v clashes %d err %v; want %v %d", tc.name, applied, clashes, err, tc.applied, tc.clashes)
		}
	}
	if got := b.AppliedSeq("file-a"); got != 3 {
		t.Errorf("AppliedSeq = %d, want 3", got)
	}
	for _, code := range []string{made[0], made[len(made)-1]} {
		c, err := b.Code(context.Background(), code)
		if err != nil || c.Campaign != "promo" || c.Origin != "node-a" || c.Uses != 0 || c.MaxUses != 1 {
			t.Errorf("replica of %s: %+v, %v", code, c, err)
		}
	}
	if c, _ := b.Code(context.Background(), clash); c.Campaign != "mine" || c.Origin != "" {
		t.Errorf("a clash replaced the code made here: %+v", c)
	}
	if c, _ := b.Code(context.Background(), own[0]); c.Origin != "" {
		t.Errorf("own code has origin %q", c.Origin)
	}
	// Codes learnt from a are not logged again by b: only its own.
	if got := b.CodeSeq(); got != 1 {
		t.Errorf("b's CodeSeq = %d, want 1 (its own 3 codes)", got)
	}
	// Generation avoids codes learnt from other nodes.
	if err := b.CheckCodes(policies.CodeSpec{Count: 1, Pattern: "#", Prefix: "R-"}); err != nil {
		t.Fatal(err)
	}
}

func TestApplyCodesRefusesBadChunks(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "s.db"))
	for name, ch := range map[string]CodeChunk{
		"seq 0":       {Seq: 0, Campaign: "c", MaxUses: 1, Codes: []string{"A"}},
		"no campaign": {Seq: 1, MaxUses: 1, Codes: []string{"A"}},
		"no uses":     {Seq: 1, Campaign: "c", Codes: []string{"A"}},
		"bad code":    {Seq: 1, Campaign: "c", MaxUses: 1, Codes: []string{"a b"}},
		"empty code":  {Seq: 1, Campaign: "c", MaxUses: 1, Codes: []string{""}},
	} {
		if applied, _, err := s.ApplyCodes("n", "f", &ch); !errors.Is(err, ErrBadChunk) || applied {
			t.Errorf("%s: applied %v, err %v", name, applied, err)
		}
	}
	if s.AppliedSeq("f") != 0 {
		t.Error("a refused chunk moved the sequence")
	}
}

// TestMigrateCodeLog: a schema-1 file's codes get a log on open.
func TestMigrateCodeLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s := open(t, path)
	made := generate(t, s, "old", 12)
	s.Close()
	oldFile(t, path, 1, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bCodeLog); err != nil {
			return err
		}
		if err := tx.DeleteBucket(bCodeSources); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Delete([]byte("code_seq"))
	})
	s = open(t, path)
	chunks, err := readLog(s)
	if err != nil || len(chunks) != 1 || chunks[0].Campaign != "old" || len(chunks[0].Codes) != len(made) {
		t.Fatalf("after migration: %+v, %v", chunks, err)
	}
}

// TestCodeLogRecord: a log record reads back as written, and a damaged
// one is an error, not a panic.
func TestCodeLogRecord(t *testing.T) {
	ch := &CodeChunk{Seq: 3, Campaign: "c", MaxUses: 2, CreatedAt: time.Unix(0, 42).UTC(), Codes: []string{"AB-12", "ZZ"}}
	raw := appendRecord(nil, ch)
	got, err := parseRecord(raw)
	if err != nil || !reflect.DeepEqual(got, ch) {
		t.Fatalf("%+v read back as %+v, %v", ch, got, err)
	}
	for i := range raw {
		if _, err := parseRecord(raw[:i]); err == nil {
			t.Errorf("a record cut at %d bytes parsed", i)
		}
	}
}

// TestMarksReplicate: a node's marks of its customers (a first
// redemption, a referral, its rollback) reach another store through the
// code log, in order, once, and read there as its own records do.
func TestMarksReplicate(t *testing.T) {
	dir := t.TempDir()
	a, b := open(t, filepath.Join(dir, "a.db")), open(t, filepath.Join(dir, "b.db"))
	at := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	marks := []Mark{
		{Customer: "bob", Redemption: "rd_1", At: at},
		{Customer: "carol", Redemption: "rd_2", At: at, Code: "REF-AAAA-BBBB", Points: 15},
		{Customer: "dan", Redemption: "rd_3", At: at, Code: "REF-AAAA-BBBB", Points: 15},
		{Customer: "dan", Redemption: "rd_3", At: at.Add(time.Hour), Code: "REF-AAAA-BBBB", Undo: true},
	}
	if err := a.db.Update(func(tx *bolt.Tx) error {
		for _, m := range marks {
			if err := logMark(tx, m); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	chunks, err := readLog(a)
	if err != nil || len(chunks) != len(marks) {
		t.Fatalf("log: %d chunks, %v", len(chunks), err)
	}
	for range 2 { // the second time every chunk is one seen before
		for i := range chunks {
			if _, _, err := b.ApplyCodes("n-a", "file-a", &chunks[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range []struct {
		customer           string
		redeemed, referred bool
	}{{"bob", true, false}, {"carol", true, true}, {"dan", true, false}, {"erin", false, false}} {
		if redeemed, referred, err := b.Known(context.Background(), c.customer); err != nil || redeemed != c.redeemed || referred != c.referred {
			t.Errorf("%s: redeemed %v referred %v %v, want %v %v", c.customer, redeemed, referred, err, c.redeemed, c.referred)
		}
	}
	if err := b.db.View(func(tx *bolt.Tx) error {
		if n := usesOf(tx, "REF-AAAA-BBBB"); n != 1 {
			t.Errorf("%d uses of the code recorded, want carol's", n)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	bad := CodeChunk{Seq: 1, Marks: []Mark{{Customer: "", Redemption: "rd"}}}
	if _, _, err := b.ApplyCodes("n-c", "file-c", &bad); !errors.Is(err, ErrBadChunk) {
		t.Fatalf("a mark of no customer: %v", err)
	}
}
