package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
)

// testClock is the fleet's shared clock: the nodes mint and forget
// periods by it, and requests name it as context.now.
type testClock struct{ ns atomic.Int64 }

func (c *testClock) Now() time.Time   { return time.Unix(0, c.ns.Load()) }
func (c *testClock) Set(t time.Time)  { c.ns.Store(t.UnixNano()) }
func (c *testClock) RFC3339() string  { return c.Now().Format(time.RFC3339) }
func mustTime(s string) (t time.Time) { t, _ = time.Parse(time.RFC3339, s); return t }
func periodCampaigns() map[string]string {
	return map[string]string{
		"daily": `{"timezone":"Europe/Paris","effects":[{"type":"amount_off","amount":100}],
			"limits":{"per_period":{"period":"day","redemptions":20}}}`,
		"weekly": `{"timezone":"Europe/Paris","effects":[{"type":"amount_off","amount":100}],
			"limits":{"per_period":{"period":"week","budget":1500}}}`,
	}
}

// redeemNow redeems a one-line cart on tn at the clock's time and reports
// which campaigns applied.
func (f *fleet) redeemNow(tn *tnode, clock *testClock) (map[string]bool, error) {
	got, _, err := f.redeemID(tn, clock)
	return got, err
}

// redeemID is redeemNow with the redemption's id.
func (f *fleet) redeemID(tn *tnode, clock *testClock) (map[string]bool, string, error) {
	k := f.seq.Add(1)
	req, err := tn.eng.Decode(fmt.Appendf(nil, `{"cart":{"currency":"EUR","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"context":{"now":%q}}`, clock.RFC3339()))
	if err != nil {
		return nil, "", err
	}
	rc, err := tn.eng.Redeem(context.Background(), &policies.RedeemRequest{Request: req, OrderID: fmt.Sprint("o", k), IdempotencyKey: fmt.Sprintf("%s-p%d", tn.name, k), Hash: "h"})
	if err != nil {
		return nil, "", err
	}
	var out struct {
		Applied  []policies.Applied
		Rejected []policies.Rejection
	}
	if err := json.Unmarshal(rc.Response, &out); err != nil {
		return nil, "", err
	}
	if testing.Verbose() {
		f.t.Logf("%s at %s: %s", tn.name, clock.RFC3339(), rc.Response)
	}
	got := map[string]bool{}
	for _, a := range out.Applied {
		got[a.Campaign] = a.Amount > 0
	}
	return got, rc.Redemption.ID, nil
}

// periodLoad redeems on the nodes that are up (of on) from workers
// goroutines until stop, counting grants per campaign.
func (f *fleet) periodLoad(clock *testClock, on []int, workers int, stop <-chan struct{}, daily, weekly *atomic.Int64) *sync.WaitGroup {
	return f.spread(on, workers, stop, func(tn *tnode) {
		got, err := f.redeemNow(tn, clock)
		if err == nil && got["daily"] {
			daily.Add(1)
		}
		if err == nil && got["weekly"] {
			weekly.Add(1)
		}
	})
}

// periodLedger counts, over every node's file, the redemptions that
// stand of campaign in period (its Key).
func (f *fleet) periodLedger(campaign, period string) int64 {
	var n int64
	f.eachRedemption(policies.LedgerQuery{Campaign: campaign}, func(_ int, r *policies.Redemption) {
		for _, c := range r.Campaigns {
			if r.Status == policies.Redeemed && c.Campaign == campaign && c.Period == period {
				n++
			}
		}
	})
	return n
}

// fillPeriod loads on until the day's 20 and the week's 15 are used,
// checking at every step that neither is ever passed.
func (f *fleet) fillPeriod(clock *testClock, on []int, day, week string, what string) {
	var daily, weekly atomic.Int64
	stop := make(chan struct{})
	wg := f.periodLoad(clock, on, 6, stop, &daily, &weekly)
	defer func() { close(stop); wg.Wait() }()
	f.eventually(15*time.Second, what, func() bool {
		d, w := f.periodLedger("daily", day), f.periodLedger("weekly", week)
		if d > 20 || w > 15 {
			f.t.Fatalf("%s: %d of the day's 20, %d of the week's 15", what, d, w)
		}
		return d == 20 && w == 15
	})
}

// Per-period limits are cluster-wide: on real nodes, through a crash, a
// partition and a new day (the 25-hour day when Paris leaves summer time,
// then a Monday that starts a new week), a period's limit is used in full
// and never passed; evaluate shows it used up on every node; and the
// periods that ended are forgotten, in the files and in memory.
func TestPeriodLimitsAcrossTheFleet(t *testing.T) {
	clock := &testClock{}
	clock.Set(mustTime("2026-10-25T01:30:00+02:00")) // Sunday, before the change
	f := newFleetWith(t, 3, testRevision(t, "r1", periodCampaigns()), func(c *Config) {
		c.Now = clock.Now
		c.PruneInterval = 50 * time.Millisecond
	})
	paris, _ := time.LoadLocation("Europe/Paris")
	day1 := policies.PeriodAt(policies.Day, clock.Now(), paris)
	week1 := policies.PeriodAt(policies.Week, clock.Now(), paris)

	// Day 1: a node crashes under load and comes back with what it held.
	var daily, weekly atomic.Int64
	stop := make(chan struct{})
	wg := f.periodLoad(clock, []int{0, 1, 2}, 6, stop, &daily, &weekly)
	f.eventually(10*time.Second, "some redemptions", func() bool { return daily.Load() >= 5 })
	f.crashWhileLoaded(f.nodes[1])
	clock.Set(mustTime("2026-10-25T23:30:00+01:00")) // 23 hours later, the same day
	time.Sleep(200 * time.Millisecond)
	f.restart(f.nodes[1])
	close(stop)
	wg.Wait()
	f.fillPeriod(clock, []int{0, 1, 2}, day1.Key(), week1.Key(), "day 1 used in full after the crash")
	// every node's evaluate shows the day used up, with the period
	for _, tn := range f.nodes {
		f.eventually(5*time.Second, tn.name+" shows the daily limit", func() bool {
			d := f.evaluate(tn, fmt.Sprintf(`{"cart":{"currency":"EUR","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"context":{"now":%q}}`, clock.RFC3339()))
			return slices.ContainsFunc(d.Rejected, func(r policies.Rejection) bool {
				return r.Campaign == "daily" && r.Reason == policies.LimitExhausted && slices.Equal(r.Details, []string{"daily limit"})
			})
		})
	}

	// Day 2 (a Monday: a new week too), under a partition: the side
	// without the minter spends only what it holds; after the heal the
	// rest of the day is used, and no more.
	clock.Set(mustTime("2026-10-26T00:00:00+01:00"))
	day2 := policies.PeriodAt(policies.Day, clock.Now(), paris)
	week2 := policies.PeriodAt(policies.Week, clock.Now(), paris)
	f.eventually(5*time.Second, "day 2 minted", func() bool {
		return f.nodes[0].node.account(periodLimitKey("daily", day2.Key(), limitPeriodCount)).Minted == 20
	})
	var warm string
	for _, tn := range f.nodes[1:] { // the far side gets a little of day 2 first
		got, id, err := f.redeemID(tn, clock)
		if err != nil || !got["daily"] {
			t.Fatalf("warm-up on %s: %v %v", tn.name, got, err)
		}
		warm = id // n2's
	}
	f.net.split([]int{f.nodes[0].port}, []int{f.nodes[1].port, f.nodes[2].port})
	f.eventually(5*time.Second, "both sides see the split", func() bool {
		return f.nodes[0].node.ml.NumMembers() == 1 && f.nodes[1].node.ml.NumMembers() == 2
	})
	stop = make(chan struct{})
	wg = f.periodLoad(clock, []int{1, 2}, 4, stop, &daily, &weekly)
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if d := f.periodLedger("daily", day2.Key()); d >= 20 {
		t.Fatalf("the far side of the partition used %d of day 2's 20", d)
	}
	time.Sleep(1200 * time.Millisecond) // past GossipToTheDeadTime
	f.net.heal()
	f.waitMembers(3)
	f.fillPeriod(clock, []int{1, 2}, day2.Key(), week2.Key(), "day 2 used in full after the heal")
	// A rollback gives its period's rights back, once: one more redemption
	// of day 2 (and of the week) fits, and no second one.
	for range 2 {
		if _, _, err := f.nodes[2].eng.Rollback(context.Background(), warm); err != nil {
			t.Fatal(err)
		}
	}
	if d := f.periodLedger("daily", day2.Key()); d != 19 {
		t.Fatalf("day 2 after a rollback: %d", d)
	}
	f.fillPeriod(clock, []int{0, 1, 2}, day2.Key(), week2.Key(), "day 2 used in full after a rollback")
	if d := f.periodLedger("daily", day1.Key()); d != 20 {
		t.Fatalf("day 1 now counts %d", d)
	}

	// Two days later, once the checkout has moved on (each node forgets by
	// the earlier of its clock and its latest request), the ended periods
	// are gone: files and memory.
	clock.Set(mustTime("2026-10-28T12:00:00+01:00"))
	for _, tn := range f.nodes {
		if got, err := f.redeemNow(tn, clock); err != nil || !got["daily"] {
			t.Fatalf("on the 28th on %s: %v %v", tn.name, got, err)
		}
	}
	for _, tn := range f.nodes {
		f.eventually(5*time.Second, tn.name+" forgets days 1 and 2", func() bool {
			left := 0
			_ = tn.st.ViewFleet(func(fx *store.FleetTx) error {
				return fx.EachRights(func(k policies.RightsKey, _ policies.Rights) error {
					if k.Period == day1.Key() || k.Period == day2.Key() || k.Period == week1.Key() {
						left++
					}
					return nil
				})
			})
			tn.node.usage.table.mu.RLock()
			for name := range tn.node.usage.table.regs {
				if registerEnded(name, clock.Now().Add(-policies.PeriodGrace)) {
					left++
				}
			}
			tn.node.usage.table.mu.RUnlock()
			u, _ := tn.st.UsedIn(context.Background(), "daily", day1.Key(), "")
			return left == 0 && u.PeriodRedemptions == 0 && u.PeriodSpent == 0
		})
	}
	// the running week is kept, and today's day is minted
	if a := f.nodes[0].node.account(periodLimitKey("weekly", week2.Key(), limitPeriodBudget)); a.Minted != 1500 {
		t.Errorf("the running week's budget: %+v", a)
	}
}

// The checkout is trusted for context.now: a fleet counts in whatever
// period its requests name, days behind the nodes' clocks or weeks ahead.
// The minter mints such a period when it is first asked for, once, and
// the limit holds across the fleet as any other.
func TestPeriodsOfAnyDateAreMintedOnDemand(t *testing.T) {
	f := newFleet(t, 3, testRevision(t, "r1", map[string]string{
		"daily": `{"effects":[{"type":"amount_off","amount":100}],"limits":{"per_period":{"period":"day","redemptions":10}}}`,
	}))
	for _, days := range []int{-5, 40} {
		clock := &testClock{}
		clock.Set(time.Now().AddDate(0, 0, days))
		var got atomic.Int64
		var wg sync.WaitGroup
		for i := range 30 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := f.redeemNow(f.nodes[i%3], clock)
				if err != nil {
					t.Error(err)
				}
				if ok["daily"] {
					got.Add(1)
				}
			}()
		}
		wg.Wait()
		key := policies.PeriodAt(policies.Day, clock.Now(), time.UTC).Key()
		if n := f.periodLedger("daily", key); got.Load() != 10 || n != 10 {
			t.Fatalf("%+d days: %d granted, %d in the ledgers, limit 10", days, got.Load(), n)
		}
		if a := f.nodes[0].node.account(periodLimitKey("daily", key, limitPeriodCount)); a.Minted != 10 {
			t.Errorf("%+d days: minted %+v", days, a)
		}
	}
}
