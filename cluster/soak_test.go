package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// TestClusterSoak runs 5 nodes for CLUSTER_SOAK (e.g. 10m) under mixed
// redeems and rollbacks while nodes crash and restart, the network
// partitions and heals, and bundles raise limits. A checker compares every
// node's ledger with the limits all along and prints the totals. It runs
// behind make soak:
//
//	CLUSTER_SOAK=10m go test -run TestClusterSoak -timeout 30m -v ./cluster/
func TestClusterSoak(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("CLUSTER_SOAK"))
	if err != nil {
		t.Skip("set CLUSTER_SOAK=10m to soak")
	}
	s := newSoak(t)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var wg sync.WaitGroup
	for w := range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); s.work(ctx, w) }()
	}
	wg.Add(2)
	go func() { defer wg.Done(); s.chaos(ctx) }()
	go func() { defer wg.Done(); s.raise(ctx) }()
	tick := time.NewTicker(10 * time.Second)
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case <-tick.C:
			s.check(false)
		}
	}
	tick.Stop()
	wg.Wait()
	s.settle()
	s.check(true)
	s.useRemainingCodes()
}

// useRemainingCodes redeems every generated code that no redemption
// holds, each on a random node: none was lost to a crash or a partition.
func (s *soak) useRemainingCodes() {
	_, _, _, uses := s.standing()
	r := rand.New(rand.NewPCG(3, 4))
	free, got := 0, 0
	for _, code := range s.codes {
		if uses[code] > 0 {
			continue
		}
		free++
		if _, ok, err := s.redeem(s.f.nodes[r.IntN(len(s.f.nodes))], code); ok && err == nil {
			got++
		}
	}
	s.t.Logf("generated codes: %d of %d were free at the end, %d of them redeemed now on random nodes", free, len(s.codes), got)
	if got != free {
		s.t.Errorf("%d free codes could not be redeemed after the soak", free-got)
	}
	s.check(false)
}

type soak struct {
	t      *testing.T
	f      *fleet
	chaosM sync.Mutex   // crash/restart/partition against the checker
	pause  sync.RWMutex // the checker reads every ledger with no redeem or rollback under way
	limits atomic.Pointer[map[string]policies.Limits]
	ids    []chan string // per node: redemption ids to maybe roll back
	codes  []string      // generated codes of "vouchers", made on two nodes
	stats  struct {
		redeems, granted, rollbacks, crashes, partitions, raises, errors atomic.Int64
		codeRedeems, codesGranted                                        atomic.Int64
	}
}

// soakCampaigns: a count limit, a budget, both, and one per customer.
func soakLimits(extra int64) map[string]policies.Limits {
	return map[string]policies.Limits{
		"count":  {Redemptions: 3000 + extra},
		"budget": {Budget: 100 * (2000 + extra)},
		"both":   {Redemptions: 2500 + extra, Budget: 100 * (2400 + extra)},
		"small":  {Redemptions: 50 + extra/10},
	}
}

func soakRevision(t testing.TB, id string, limits map[string]policies.Limits) *policies.Revision {
	docs := map[string]string{}
	for c, l := range limits {
		b, _ := json.Marshal(map[string]int64{"redemptions": l.Redemptions, "budget": l.Budget})
		docs[c] = `{"code":"` + c + `","effects":[{"type":"amount_off","amount":100}],"limits":` + string(b) + `}`
	}
	docs["vouchers"] = uniqueDoc // generated codes: each used at most once
	return testRevision(t, id, docs)
}

func newSoak(t *testing.T) *soak {
	limits := soakLimits(0)
	s := &soak{t: t}
	s.limits.Store(&limits)
	s.f = newFleet(t, 5, soakRevision(t, "soak-0", limits))
	for range s.f.nodes {
		s.ids = append(s.ids, make(chan string, 10000))
	}
	for _, tn := range []*tnode{s.f.nodes[1], s.f.nodes[3]} {
		made := generateOn(t, tn, "vouchers", 400)
		s.f.known(made, 30*time.Second)
		s.codes = append(s.codes, made...)
	}
	return s
}

func (s *soak) work(ctx context.Context, w int) {
	r := rand.New(rand.NewPCG(uint64(w), 7))
	campaigns := []string{"count", "budget", "both", "small"}
	for ctx.Err() == nil {
		i := r.IntN(len(s.f.nodes))
		tn := s.f.nodes[i]
		s.f.mu.Lock()
		up := tn.up
		if up {
			tn.busy.Add(1)
		}
		s.f.mu.Unlock()
		if !up {
			time.Sleep(time.Millisecond)
			continue
		}
		s.pause.RLock()
		s.step(ctx, r, i, tn, campaigns)
		s.pause.RUnlock()
		tn.busy.Done()
		time.Sleep(time.Duration(r.IntN(4)) * time.Millisecond)
	}
}

// step is one redeem or rollback on node i.
func (s *soak) step(ctx context.Context, r *rand.Rand, i int, tn *tnode, campaigns []string) {
	{
		if r.IntN(10) == 0 { // roll back one of this node's redemptions
			select {
			case id := <-s.ids[i]:
				if _, _, err := tn.eng.Rollback(ctx, id); err == nil {
					s.stats.rollbacks.Add(1)
				}
			default:
			}
			return
		}
		c := campaigns[r.IntN(len(campaigns))]
		code := c
		if r.IntN(5) == 0 { // a generated code, made on another node or this one
			c, code = "vouchers", s.codes[r.IntN(len(s.codes))]
			s.stats.codeRedeems.Add(1)
		}
		id, ok, err := s.redeem(tn, code)
		s.stats.redeems.Add(1)
		if ok && c == "vouchers" {
			s.stats.codesGranted.Add(1)
		}
		switch {
		case err != nil:
			s.stats.errors.Add(1)
		case ok:
			s.stats.granted.Add(1)
			select {
			case s.ids[i] <- id:
			default:
			}
		}
	}
}

func (s *soak) redeem(tn *tnode, code string) (string, bool, error) {
	k := s.f.seq.Add(1)
	body := fmt.Sprintf(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"customer":{"id":"u%d"},"codes":[%q]}`, k%500, code)
	req, err := tn.eng.Decode([]byte(body))
	if err != nil {
		return "", false, err
	}
	receipt, err := tn.eng.Redeem(context.Background(), &policies.RedeemRequest{Request: req, OrderID: fmt.Sprint(k), IdempotencyKey: fmt.Sprint(tn.name, k), Hash: "h"})
	if err != nil {
		return "", false, err
	}
	out := receipt.Response
	var rc struct {
		ID      string             `json:"redemption_id"`
		Applied []policies.Applied `json:"applied"`
	}
	if err := json.Unmarshal(out, &rc); err != nil {
		return "", false, err
	}
	return rc.ID, len(rc.Applied) > 0, nil
}

// chaos crashes and restarts nodes and partitions the network, one thing
// at a time, every few seconds.
func (s *soak) chaos(ctx context.Context) {
	r := rand.New(rand.NewPCG(1, 2))
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(2000+r.IntN(3000)) * time.Millisecond):
		}
		s.chaosM.Lock()
		if r.IntN(2) == 0 {
			tn := s.f.nodes[r.IntN(len(s.f.nodes))]
			s.f.crashWhileLoaded(tn)
			s.stats.crashes.Add(1)
			time.Sleep(time.Duration(r.IntN(1500)) * time.Millisecond)
			s.f.start(tn)
		} else {
			perm := r.Perm(len(s.f.nodes))
			cut := 1 + r.IntN(len(s.f.nodes)-1)
			var a, b []int
			for i, p := range perm {
				if i < cut {
					a = append(a, s.f.nodes[p].port)
				} else {
					b = append(b, s.f.nodes[p].port)
				}
			}
			s.f.net.split(a, b)
			s.stats.partitions.Add(1)
			s.chaosM.Unlock()
			time.Sleep(time.Duration(500+r.IntN(2500)) * time.Millisecond)
			s.chaosM.Lock()
			s.f.net.heal()
		}
		s.chaosM.Unlock()
	}
}

// raise activates a bundle with higher limits every 30 s: the minter
// mints only the increase.
func (s *soak) raise(ctx context.Context) {
	for i := int64(1); ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-time.After(30 * time.Second):
		}
		limits := soakLimits(500 * i)
		rev := soakRevision(s.t, fmt.Sprint("soak-", i), limits)
		s.chaosM.Lock()
		s.f.rev = rev
		for _, tn := range s.f.nodes {
			if tn.up {
				tn.eng.Swap(rev)
			}
		}
		s.chaosM.Unlock()
		s.limits.Store(&limits) // after every node has it: the checker's bound
		s.stats.raises.Add(1)
	}
}

// standing sums, over every node's ledger, the redemptions of each
// campaign that stand and the discount they gave.
func (s *soak) standing() (count, spent map[string]int64, byNode []map[string]int64, codeUses map[string]int) {
	count, spent, codeUses = map[string]int64{}, map[string]int64{}, map[string]int{}
	byNode = make([]map[string]int64, len(s.f.nodes))
	for i := range byNode {
		byNode[i] = map[string]int64{}
	}
	s.f.eachRedemption(policies.LedgerQuery{}, func(i int, r *policies.Redemption) {
		if r.Status == policies.Redeemed {
			for _, c := range r.Campaigns {
				count[c.Campaign]++
				spent[c.Campaign] += c.Amount
				byNode[i][c.Campaign]++
				if c.UniqueCode {
					codeUses[c.Code]++
				}
			}
		}
	})
	return count, spent, byNode, codeUses
}

func (s *soak) check(final bool) {
	s.chaosM.Lock()
	defer s.chaosM.Unlock()
	s.pause.Lock()
	defer s.pause.Unlock()
	limits := *s.limits.Load()
	count, spent, byNode, codeUses := s.standing()
	for code, n := range codeUses {
		if n > 1 {
			s.t.Errorf("OVERSHOOT generated code %s: %d redemptions stand", code, n)
		}
	}
	for c, l := range limits {
		if l.Redemptions > 0 && count[c] > l.Redemptions {
			s.t.Errorf("OVERSHOOT %s: %d redemptions stand, limit %d", c, count[c], l.Redemptions)
		}
		if l.Budget > 0 && spent[c] > l.Budget {
			s.t.Errorf("OVERSHOOT %s: %d spent, budget %d", c, spent[c], l.Budget)
		}
		if final {
			s.t.Logf("%-6s limit %5d budget %7d | standing %5d spent %7d | by node %v",
				c, l.Redemptions, l.Budget, count[c], spent[c], column(byNode, c))
		}
	}
	st := &s.stats
	s.t.Logf("redeems %d granted %d rollbacks %d errors %d | crashes %d partitions %d raises %d | generated codes: %d redeems, %d granted, %d of %d codes in use",
		st.redeems.Load(), st.granted.Load(), st.rollbacks.Load(), st.errors.Load(), st.crashes.Load(), st.partitions.Load(), st.raises.Load(),
		st.codeRedeems.Load(), st.codesGranted.Load(), len(codeUses), len(s.codes))
	if final {
		for c, l := range limits {
			for _, lim := range []byte{limitCount, limitBudget} {
				if (lim == limitCount && l.Redemptions == 0) || (lim == limitBudget && l.Budget == 0) {
					continue
				}
				held, consumed, inflight := s.f.rightsTotal(c, lim)
				minted := s.f.nodes[0].node.account(limitKey{c, lim}).Minted
				s.t.Logf("%-6s %s: held %d + consumed %d + in flight %d = %d ≤ minted %d", c, string(lim), held, consumed, inflight, held+consumed+inflight, minted)
				if held+consumed+inflight > minted {
					s.t.Errorf("rights of %s/%s exceed what was minted", c, string(lim))
				}
			}
		}
	}
}

func column(byNode []map[string]int64, c string) []int64 {
	out := make([]int64, len(byNode))
	for i, m := range byNode {
		out[i] = m[c]
	}
	return out
}

// settle heals the network, restarts every node that is down and waits for
// the transfers in flight to be acknowledged.
func (s *soak) settle() {
	s.chaosM.Lock()
	s.f.net.heal()
	for _, tn := range s.f.nodes {
		if !tn.up {
			s.f.start(tn)
		}
	}
	s.chaosM.Unlock()
	s.f.waitMembers(len(s.f.nodes))
	s.f.eventually(30*time.Second, "no transfer in flight", func() bool {
		for _, tn := range s.f.nodes {
			if len(tn.node.InFlight()) > 0 {
				return false
			}
		}
		return true
	})
}
