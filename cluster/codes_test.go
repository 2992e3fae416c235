package cluster

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

const uniqueDoc = `{"name":"u","unique_codes":true,"effects":[{"type":"amount_off","amount":100}]}`

func generateOn(t *testing.T, tn *tnode, campaign string, n int) []string {
	t.Helper()
	var codes []string
	err := tn.st.Generate(context.Background(), campaign, policies.CodeSpec{Count: n, Pattern: "########", Prefix: strings.ToUpper(tn.name) + "-"}, func(b []string) error {
		codes = append(codes, b...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return codes
}

// known waits until every node that is up knows every code.
func (f *fleet) known(codes []string, within time.Duration) time.Duration {
	f.t.Helper()
	return f.eventually(within, fmt.Sprintf("every node knows the %d codes", len(codes)), func() bool {
		for _, tn := range f.nodes {
			if !tn.up {
				continue
			}
			for _, c := range []string{codes[0], codes[len(codes)/2], codes[len(codes)-1]} {
				if _, err := tn.st.Code(context.Background(), c); err != nil {
					return false
				}
			}
		}
		return true
	})
}

// TestGeneratedCodesAcrossTheFleet: a code generated on one node is known
// to every node within seconds, is redeemable on any of them (all load on
// a node that did not make it uses every code), and is used at most once
// in the fleet by any interleaving.
func TestGeneratedCodesAcrossTheFleet(t *testing.T) {
	// Every node is up and connected here, so a code's use must always
	// come; a slow machine (the race detector, other packages' tests)
	// must not turn a late transfer into a refusal.
	f := newFleetWith(t, 3, testRevision(t, "r1", map[string]string{"u": uniqueDoc}), func(c *Config) {
		c.AcquireTimeout = 15 * time.Second
	})
	n0, n1, n2 := f.nodes[0], f.nodes[1], f.nodes[2]

	// Replication: 25,000 codes (3 chunks) from n0 reach n1 and n2
	// (TestPerfCodeReplication times a million).
	big := generateOn(t, n0, "u", 25_000)
	took := f.known(big, 20*time.Second)
	t.Logf("25,000 codes generated on n0 known to n1 and n2 after %v", took)
	for _, tn := range []*tnode{n1, n2} {
		if got := tn.st.AppliedSeq(n0.node.fileID); got != 3 {
			t.Fatalf("%s applied %d of n0's 3 chunks", tn.name, got)
		}
		c, err := tn.st.Code(context.Background(), big[123])
		if err != nil || c.Origin != "n0" || c.Campaign != "u" {
			t.Fatalf("%s's copy of %s: %+v %v", tn.name, big[123], c, err)
		}
	}

	// All load on a node that did not make the codes: every one is usable.
	codes := big[:40]
	for _, c := range codes {
		if ok, err := f.redeemCode(n2, "u", "", c); !ok || err != nil {
			t.Fatalf("redeem of n0's code %s on n2: %v %v", c, ok, err)
		}
	}
	// ...and then used, everywhere.
	for _, tn := range f.nodes {
		for _, c := range codes[:5] {
			if ok, err := f.redeemCode(tn, "u", "", c); ok || err != nil {
				t.Fatalf("second use of %s on %s: %v %v", c, tn.name, ok, err)
			}
		}
	}

	// Every code tried on every node at once: each used exactly once.
	fresh := generateOn(t, n1, "u", 30)
	f.known(fresh, 20*time.Second)
	var applied atomic.Int64
	var wg sync.WaitGroup
	for _, c := range fresh {
		for _, tn := range f.nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := f.redeemCode(tn, "u", "", c)
				if err != nil {
					t.Error(err)
				}
				if ok {
					applied.Add(1)
				}
			}()
		}
	}
	wg.Wait()
	if got := applied.Load(); got != int64(len(fresh)) {
		t.Fatalf("%d codes tried on 3 nodes at once: %d redemptions, want exactly %d", len(fresh), got, len(fresh))
	}
	uses := map[string]int{}
	for _, tn := range f.nodes {
		_ = tn.st.Redemptions(context.Background(), policies.LedgerQuery{Campaign: "u"}, func(r *policies.Redemption) error {
			for _, c := range r.Campaigns {
				if c.UniqueCode && r.Status == policies.Redeemed {
					uses[c.Code]++
				}
			}
			return nil
		})
	}
	for _, c := range append(fresh, codes...) {
		if uses[c] != 1 {
			t.Errorf("code %s used %d times in the fleet's ledgers", c, uses[c])
		}
	}
}

// TestGeneratedCodeRightsSurviveCrashAndPartition: a code's use stays
// with its holder across a crash (unusable elsewhere meanwhile, usable
// again when it is back), and is never used twice across a partition.
func TestGeneratedCodeRightsSurviveCrashAndPartition(t *testing.T) {
	f := newFleetWith(t, 3, testRevision(t, "r1", map[string]string{"u": uniqueDoc}), func(c *Config) {
		c.AcquireTimeout = 500 * time.Millisecond
	})
	n0, n1, n2 := f.nodes[0], f.nodes[1], f.nodes[2]
	codes := generateOn(t, n1, "u", 4)
	f.known(codes, 20*time.Second)

	// n1 made the codes and crashes: nobody else can use them meanwhile.
	f.crash(n1)
	if ok, err := f.redeemCode(n2, "u", "", codes[0]); ok || err != nil {
		t.Fatalf("a code whose holder is down was redeemed: %v %v", ok, err)
	}
	f.restart(n1)
	f.eventually(5*time.Second, "the code is usable again once its maker is back", func() bool {
		ok, _ := f.redeemCode(n2, "u", "", codes[0])
		return ok
	})

	// Partition {n0} | {n1, n2}: n1 holds codes[1], n0 cannot get it.
	f.net.split([]int{n0.port}, []int{n1.port, n2.port})
	if ok, _ := f.redeemCode(n0, "u", "", codes[1]); ok {
		t.Fatal("a code held across the partition was redeemed")
	}
	if ok, _ := f.redeemCode(n2, "u", "", codes[1]); !ok {
		t.Fatal("the code was not usable on the holder's side of the partition")
	}
	f.net.heal()
	f.waitMembers(3)
	for _, tn := range f.nodes {
		if ok, _ := f.redeemCode(tn, "u", "", codes[1]); ok {
			t.Fatalf("codes[1] used a second time on %s after the heal", tn.name)
		}
	}
	f.eventually(10*time.Second, "after the heal a code moves across again", func() bool {
		ok, _ := f.redeemCode(n0, "u", "", codes[2])
		return ok
	})
}

// TestPerfCodeReplication times how long a million codes generated on one
// node take to be known to the others.
func TestPerfCodeReplication(t *testing.T) {
	perf(t)
	for _, size := range []int{3, 5} {
		f := newFleet(t, size, testRevision(t, "r1", map[string]string{"u": uniqueDoc}))
		start := time.Now()
		codes := generateOn(t, f.nodes[0], "u", 1_000_000)
		generated := time.Since(start)
		took := f.known(codes, 5*time.Minute)
		t.Logf("%d nodes: 1,000,000 codes generated in %v, known to every node %v later", size, generated, took)
	}
}

// codeVerdict is what evaluate on tn says of a cart presenting code: ""
// when the campaign applies, else the reason it or the code was rejected.
func codeVerdict(t *testing.T, tn *tnode, code string) policies.Reason {
	t.Helper()
	req, err := tn.eng.Decode([]byte(fmt.Sprintf(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"codes":[%q]}`, code)))
	if err != nil {
		t.Fatal(err)
	}
	dec, err := tn.eng.Evaluate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range dec.Applied {
		if a.Campaign == "u" {
			return ""
		}
	}
	for _, r := range dec.Rejected {
		if r.Campaign == "u" || r.Code == code {
			return r.Reason
		}
	}
	return "absent"
}

// TestCodeUseReachesEvaluateEverywhere: once a generated code is used on
// one node, evaluate on the others says code_used within a gossip round;
// once it is rolled back, they offer it again. Redeem is decided by the
// rights alone (the other tests).
func TestCodeUseReachesEvaluateEverywhere(t *testing.T) {
	f := newFleet(t, 3, testRevision(t, "r1", map[string]string{"u": uniqueDoc}))
	n0, n1, n2 := f.nodes[0], f.nodes[1], f.nodes[2]
	codes := generateOn(t, n0, "u", 3)
	f.known(codes, 20*time.Second)
	for _, tn := range f.nodes {
		if got := codeVerdict(t, tn, codes[0]); got != "" {
			t.Fatalf("a fresh code on %s: %q", tn.name, got)
		}
	}
	// Used on n1: n2 and n0 (the maker, which gave its use away) say so.
	id := redeemCodeID(t, f, n1, codes[0])
	took := f.eventually(5*time.Second, "evaluate says code_used on n0 and n2", func() bool {
		return codeVerdict(t, n0, codes[0]) == policies.CodeUsed && codeVerdict(t, n2, codes[0]) == policies.CodeUsed
	})
	t.Logf("code use reached evaluate on the other nodes in %v", took)
	if got := codeVerdict(t, n1, codes[0]); got != policies.CodeUsed {
		t.Fatalf("n1, which used it: %q", got)
	}
	// The hints survive a restart of a node that learnt them (written at
	// the next publish tick).
	f.eventually(5*time.Second, "n2 wrote the hint to its file", func() bool {
		_, found, _ := n2.st.CodeUseHint("u", codes[0])
		return found
	})
	f.crash(n2)
	f.restart(n2)
	if got := codeVerdict(t, n2, codes[0]); got != policies.CodeUsed {
		t.Errorf("after a restart n2 says %q", got)
	}
	// Rolled back on n1: offered again everywhere, and redeemable.
	if _, _, err := n1.eng.Rollback(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	f.eventually(5*time.Second, "evaluate offers the code again on n0 and n2", func() bool {
		return codeVerdict(t, n0, codes[0]) == "" && codeVerdict(t, n2, codes[0]) == ""
	})
	if ok, err := f.redeemCode(n2, "u", "", codes[0]); !ok || err != nil {
		t.Fatalf("redeem after the rollback on n2: %v %v", ok, err)
	}
}

// redeemCodeID redeems code on tn and returns the redemption's id.
func redeemCodeID(t *testing.T, f *fleet, tn *tnode, code string) string {
	t.Helper()
	req, err := tn.eng.Decode([]byte(fmt.Sprintf(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"codes":[%q]}`, code)))
	if err != nil {
		t.Fatal(err)
	}
	k := f.seq.Add(1)
	rc, err := tn.eng.Redeem(context.Background(), &policies.RedeemRequest{Request: req, OrderID: fmt.Sprint("o", k), IdempotencyKey: fmt.Sprint("k", k), Hash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if rc.Redemption == nil || len(rc.Redemption.Campaigns) == 0 {
		t.Fatalf("the code was not redeemed on %s", tn.name)
	}
	return rc.Redemption.ID
}

// TestStaleCodeHintNeverBlocksRedeem: a hint that says "used" for a code
// that is free (its rollback's broadcast lost) misleads evaluate only:
// redeem takes the code, because the rights decide.
func TestStaleCodeHintNeverBlocksRedeem(t *testing.T) {
	f := newFleet(t, 2, testRevision(t, "r1", map[string]string{"u": uniqueDoc}))
	n0, n1 := f.nodes[0], f.nodes[1]
	codes := generateOn(t, n0, "u", 1)
	f.known(codes, 20*time.Second)
	stale := switchState{Disabled: true, Stamp: uint64(time.Now().Add(time.Hour).UnixNano()), Node: "gone"}
	n1.node.hints.noteCodeUse(codeKey("u", codes[0]), stale)
	if got := codeVerdict(t, n1, codes[0]); got != policies.CodeUsed {
		t.Fatalf("evaluate with the stale hint: %q", got)
	}
	if ok, err := f.redeemCode(n1, "u", "", codes[0]); !ok || err != nil {
		t.Fatalf("redeem of a free code under a stale hint: %v %v", ok, err)
	}
	if ok, _ := f.redeemCode(n0, "u", "", codes[0]); ok {
		t.Fatal("the code was used twice")
	}
}

// TestLeaveHandsOffReceivedCodeUses: a node holding the use of a code it
// did not make (moved to it, then given back by a rollback) hands it to
// the others when it leaves: the code stays usable without it.
func TestLeaveHandsOffReceivedCodeUses(t *testing.T) {
	f := newFleet(t, 3, testRevision(t, "r1", map[string]string{"u": uniqueDoc}))
	n0, leaver, n2 := f.nodes[0], f.nodes[1], f.nodes[2]
	codes := generateOn(t, n0, "u", 1)
	f.known(codes, 20*time.Second)
	id := redeemCodeID(t, f, leaver, codes[0])
	if _, _, err := leaver.eng.Rollback(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if held := leaver.node.heldOf(codeKey("u", codes[0])); held != 1 {
		t.Fatalf("n1 holds %d uses of the code after the rollback", held)
	}
	f.mu.Lock()
	leaver.up = false
	f.mu.Unlock()
	if err := leaver.node.Leave(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	if held := leaver.node.heldOf(codeKey("u", codes[0])); held != 0 {
		t.Fatalf("n1 left holding %d uses of the code", held)
	}
	leaver.st.Close()
	if ok, err := f.redeemCode(n2, "u", "", codes[0]); !ok || err != nil {
		t.Fatalf("the code after its holder left: %v %v", ok, err)
	}
	if ok, _ := f.redeemCode(n0, "u", "", codes[0]); ok {
		t.Fatal("the code was used twice")
	}
}
