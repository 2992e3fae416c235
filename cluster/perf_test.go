package cluster

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/memberlist"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// The measurements behind the README's cluster figures. They take a
// minute, so they run only with CLUSTER_PERF=1:
//
//	CLUSTER_PERF=1 go test -run TestPerf -v ./cluster/

func perf(t *testing.T) {
	if os.Getenv("CLUSTER_PERF") == "" {
		t.Skip("set CLUSTER_PERF=1 to measure")
	}
}

func percentiles(d []time.Duration) (p50, p99 time.Duration) {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[len(d)/2], d[len(d)*99/100]
}

// productionIntervals keeps the test's fast failure detection but gossips
// at memberlist's LAN pace and publishes as DefaultConfig does.
func productionIntervals(c *Config) {
	lan := memberlist.DefaultLANConfig()
	c.Memberlist.GossipInterval = lan.GossipInterval
	c.Memberlist.PushPullInterval = lan.PushPullInterval
	c.PublishInterval = DefaultConfig("").PublishInterval
}

// TestPerfRedeemLatency compares redeems on a clustered node that holds
// the rights with redeems on a lone sidecar, interleaved in one run.
func TestPerfRedeemLatency(t *testing.T) {
	perf(t)
	rev := testRevision(t, "r1", map[string]string{"c": campaignDoc(`"redemptions":1000000`)})
	f := newFleetWith(t, 3, rev, func(c *Config) {
		productionIntervals(c)
		c.Memberlist.ProbeInterval = time.Second
	})
	lone := &tnode{name: "lone", dir: filepath.Join(t.TempDir(), "lone")}
	var err error
	if lone.st, err = store.Open(store.DefaultConfig(lone.dir)); err != nil {
		t.Fatal(err)
	}
	defer lone.st.Close()
	lone.eng = policies.NewEngine(policies.Config{Usage: lone.st, Codes: lone.st, Committer: lone.st})
	lone.eng.Swap(rev)
	for _, workers := range []int{1, 8} {
		var clustered, single []time.Duration
		for round := range 20 {
			for _, side := range []*tnode{f.nodes[0], lone} {
				if round%2 == 1 { // alternate who goes first
					side = map[*tnode]*tnode{f.nodes[0]: lone, lone: f.nodes[0]}[side]
				}
				d := f.timedRedeems(side, "c", workers, 400)
				if side == lone {
					single = append(single, d...)
				} else {
					clustered = append(clustered, d...)
				}
			}
		}
		c50, c99 := percentiles(clustered)
		s50, s99 := percentiles(single)
		t.Logf("%d concurrent: node with local rights p50 %v p99 %v; lone sidecar p50 %v p99 %v; ratio p50 %.2f p99 %.2f",
			workers, c50, c99, s50, s99, float64(c50)/float64(s50), float64(c99)/float64(s99))
	}
}

// timedRedeems runs n redeems of campaign on tn from workers goroutines and
// returns each one's latency.
func (f *fleet) timedRedeems(tn *tnode, campaign string, workers, n int) []time.Duration {
	var mu sync.Mutex
	var out []time.Duration
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n / workers {
				start := time.Now()
				ok, err := f.redeem(tn, campaign, "")
				d := time.Since(start)
				if !ok || err != nil {
					f.t.Errorf("redeem on %s: %v %v", tn.name, ok, err)
					return
				}
				mu.Lock()
				out = append(out, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}

// TestPerfStarvedNode measures a redeem on a node that holds no rights of
// the campaign: it asks the holder and waits for the transfer.
func TestPerfStarvedNode(t *testing.T) {
	perf(t)
	const n = 300
	docs := map[string]string{}
	for i := range n {
		docs[fmt.Sprint("c", i)] = `{"code":"C` + fmt.Sprint(i) + `","effects":[{"type":"amount_off","amount":100}],"limits":{"redemptions":10}}`
	}
	f := newFleet(t, 3, testRevision(t, "r1", docs))
	starved := f.nodes[1]
	f.eventually(10*time.Second, "n1 knows who holds the rights", func() bool {
		return len(starved.node.usage.table.holders(limitKey{fmt.Sprint("c", n-1), limitCount}, "n1")) > 0
	})
	var starvedTimes, localTimes []time.Duration
	for i := range n {
		start := time.Now()
		ok, err := f.redeemCode(starved, fmt.Sprint("c", i), "", fmt.Sprint("C", i))
		starvedTimes = append(starvedTimes, time.Since(start))
		if !ok || err != nil {
			t.Fatalf("starved redeem of c%d: %v %v", i, ok, err)
		}
		start = time.Now() // the next one finds rights the transfer brought
		if ok, _ := f.redeemCode(starved, fmt.Sprint("c", i), "", fmt.Sprint("C", i)); ok {
			localTimes = append(localTimes, time.Since(start))
		}
	}
	s50, s99 := percentiles(starvedTimes)
	l50, l99 := percentiles(localTimes)
	t.Logf("starved node: redeem p50 %v p99 %v (with rights then held locally: p50 %v p99 %v)", s50, s99, l50, l99)
}

// TestPerfUsageConvergence measures usage convergence at production gossip
// intervals (200 ms gossip and publish).
func TestPerfUsageConvergence(t *testing.T) {
	perf(t)
	for _, size := range []int{3, 5} {
		rev := testRevision(t, "r1", map[string]string{"c": campaignDoc(`"redemptions":100000`)})
		f := newFleetWith(t, size, rev, productionIntervals)
		var times []time.Duration
		for i := range 30 {
			if ok, err := f.redeem(f.nodes[i%size], "c", ""); !ok || err != nil {
				t.Fatalf("redeem: %v %v", ok, err)
			}
			want := int64(i + 1)
			times = append(times, f.eventually(10*time.Second, "usage everywhere", func() bool {
				for _, tn := range f.nodes {
					if u, _ := tn.node.usage.Used(context.Background(), "c", ""); u.Redemptions != want {
						return false
					}
				}
				return true
			}))
		}
		p50, p99 := percentiles(times)
		t.Logf("%d nodes, production intervals: usage on every node after p50 %v, max %v", size, p50, p99)
		for _, tn := range f.nodes {
			f.crash(tn)
		}
	}
}

// TestPerfGossipBandwidth measures the bytes each node sends with 1,000
// limited campaigns, idle and under load, at production intervals.
func TestPerfGossipBandwidth(t *testing.T) {
	perf(t)
	const campaigns, size = 1000, 3
	docs := map[string]string{}
	for i := range campaigns {
		docs[fmt.Sprint("c", i)] = `{"code":"C` + fmt.Sprint(i) + `","effects":[{"type":"amount_off","amount":100}],"limits":{"redemptions":1000000,"budget":100000000}}`
	}
	f := newFleetWith(t, size, testRevision(t, "r1", docs), func(c *Config) {
		productionIntervals(c)
		c.Memberlist.ProbeInterval = time.Second // LAN probing too
		c.Memberlist.ProbeTimeout = 500 * time.Millisecond
	})
	time.Sleep(3 * time.Second) // past the first publish of every campaign
	measure := func(what string, d time.Duration, load func(stop <-chan struct{})) {
		before := make([]int64, size)
		for i, tn := range f.nodes {
			before[i] = tn.tr.sent.Load()
		}
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() { load(stop); close(done) }()
		time.Sleep(d)
		close(stop)
		<-done
		for i, tn := range f.nodes {
			t.Logf("%s: %s sent %.1f KB/s", what, tn.name, float64(tn.tr.sent.Load()-before[i])/d.Seconds()/1024)
		}
	}
	measure("idle, 1000 campaigns", 40*time.Second, func(<-chan struct{}) {})
	var redeems int
	measure("100 redeems/s per node over 1000 campaigns", 40*time.Second, func(stop <-chan struct{}) {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			for _, tn := range f.nodes {
				i := rand.IntN(campaigns)
				go f.redeemCode(tn, fmt.Sprint("c", i), "", fmt.Sprint("C", i))
				redeems++
			}
		}
	})
	t.Logf("%d redeems during the loaded run", redeems)
}
