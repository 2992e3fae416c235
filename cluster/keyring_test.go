package cluster

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeKeys(t *testing.T, path string, keys ...[]byte) {
	t.Helper()
	var lines []string
	for _, k := range keys {
		lines = append(lines, base64.StdEncoding.EncodeToString(k))
	}
	if err := os.WriteFile(path, []byte("# gossip keys\n"+strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func newKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// TestKeyRotation: encrypted gossip keeps a node with another key out, and
// keys rotate without a restart (add, make primary, drop the old).
func TestKeyRotation(t *testing.T) {
	dir := t.TempDir()
	shared, stranger := filepath.Join(dir, "keys"), filepath.Join(dir, "other")
	k1, k2 := newKey(), newKey()
	writeKeys(t, shared, k1)
	writeKeys(t, stranger, newKey())
	keyFile := shared
	rev := testRevision(t, "r1", map[string]string{"c": campaignDoc(`"redemptions":10`)})
	f := newFleetWith(t, 2, rev, func(c *Config) { c.KeyFile = keyFile })

	keyFile = stranger
	intruder := &tnode{name: "intruder", dir: filepath.Join(dir, "intruder")}
	f.nodes = append(f.nodes, intruder)
	f.start(intruder)
	time.Sleep(500 * time.Millisecond)
	if n := f.nodes[0].node.ml.NumMembers(); n != 2 {
		t.Fatalf("a node with another key joined: %d members", n)
	}
	f.crash(intruder)
	f.nodes = f.nodes[:2]

	for _, step := range [][][]byte{{k1, k2}, {k2, k1}, {k2}} {
		writeKeys(t, shared, step...)
		for _, tn := range f.nodes {
			if err := tn.node.ReloadKeys(); err != nil {
				t.Fatal(err)
			}
		}
	}
	keyFile = shared // k2 only now
	late := &tnode{name: "late", dir: filepath.Join(dir, "late")}
	f.nodes = append(f.nodes, late)
	f.start(late)
	f.waitMembers(3)
	if ok, err := f.redeem(late, "c", ""); !ok || err != nil {
		t.Fatalf("redeem on the node with the rotated key: %v %v", ok, err)
	}
	writeKeys(t, shared, []byte("short"))
	if err := f.nodes[0].node.ReloadKeys(); !errors.Is(err, ErrKeys) {
		t.Fatalf("bad key file: %v", err)
	}
}
