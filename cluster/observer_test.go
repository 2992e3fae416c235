package cluster

import (
	"sync"
	"testing"
	"time"
)

// recorder is an Observer that remembers what it was told.
type recorder struct {
	mu     sync.Mutex
	rights map[Direction]int64
	count  map[Direction]int
	waits  []time.Duration
	got    int
	codes  int
}

func (r *recorder) Transferred(dir Direction, rights int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rights[dir] += rights
	r.count[dir]++
}

func (r *recorder) Waited(d time.Duration, got bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, d)
	if got {
		r.got++
	}
}

func (r *recorder) CodesLearnt(codes, _ int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.codes += codes
}

func (r *recorder) learnt() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.codes
}

func (r *recorder) snapshot() (out, in int64, waits, got int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rights[Out], r.rights[In], len(r.waits), r.got
}

// A redemption on a node holding no rights waits for a transfer: the
// observer of the giver sees the rights go out, the receiver's sees them
// come in, once, and the wait that got them.
func TestObserverSeesTransfersAndWaits(t *testing.T) {
	obs := map[string]*recorder{}
	var mu sync.Mutex
	rev := testRevision(t, "r1", map[string]string{"ten": campaignDoc(`"redemptions":10`)})
	f := newFleetWith(t, 2, rev, func(c *Config) {
		mu.Lock()
		defer mu.Unlock()
		if obs[c.Name] == nil {
			obs[c.Name] = &recorder{rights: map[Direction]int64{}, count: map[Direction]int{}}
		}
		c.Observer = obs[c.Name]
	})
	ok, err := f.redeem(f.nodes[1], "ten", "")
	if err != nil || !ok {
		t.Fatalf("redeem on the node without rights: %v %v", ok, err)
	}
	giver, taker := obs["n0"], obs["n1"]
	f.eventually(5*time.Second, "transfer observed on both sides", func() bool {
		out, _, _, _ := giver.snapshot()
		_, in, _, _ := taker.snapshot()
		return out > 0 && in == out
	})
	out, _, _, _ := giver.snapshot()
	_, in, waits, got := taker.snapshot()
	if out != in || out > 10 {
		t.Errorf("rights out of n0 %d, into n1 %d", out, in)
	}
	if waits < 1 || got < 1 {
		t.Errorf("n1 waited %d times, got rights %d times; want the redemption's wait", waits, got)
	}
	if _, in0, w0, _ := giver.snapshot(); in0 != 0 || w0 != 0 {
		t.Errorf("n0, which held the rights, received %d and waited %d times", in0, w0)
	}
}

// Codes generated on one node are counted once by each node that learns
// them, and not by the node that made them.
func TestObserverSeesCodesLearnt(t *testing.T) {
	obs := map[string]*recorder{}
	var mu sync.Mutex
	f := newFleetWith(t, 3, testRevision(t, "r1", map[string]string{"u": uniqueDoc}), func(c *Config) {
		mu.Lock()
		defer mu.Unlock()
		if obs[c.Name] == nil {
			obs[c.Name] = &recorder{rights: map[Direction]int64{}, count: map[Direction]int{}}
		}
		c.Observer = obs[c.Name]
	})
	codes := generateOn(t, f.nodes[0], "u", 12_345)
	f.known(codes, 20*time.Second)
	f.eventually(5*time.Second, "both other nodes counted every code", func() bool {
		return obs["n1"].learnt() == len(codes) && obs["n2"].learnt() == len(codes)
	})
	if got := obs["n0"].learnt(); got != 0 {
		t.Errorf("the maker counted %d codes learnt", got)
	}
}
