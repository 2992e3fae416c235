package sidecar

import (
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/promoedge/promoedge/policies"
)

// op is what priced a decision: evaluate, or a redemption.
type op int

const (
	opEvaluate op = iota
	opRedeem
	nOps
)

var opNames = [nOps]string{"evaluate", "redeem"}

// reasonIndex numbers the rejection reasons (docs/api.md#rejection-reasons: a fixed set).
var reasonIndex = func() map[policies.Reason]int {
	idx := make(map[policies.Reason]int, len(policies.Reasons))
	for i, r := range policies.Reasons {
		idx[r] = i
	}
	return idx
}()

// campaignCounters count one campaign's outcomes. A request adds to them
// with atomic adds; the table's collector reads them at scrape time.
type campaignCounters struct {
	applied  [nOps]atomic.Uint64
	rejected []atomic.Uint64 // op × reason, reason fastest
	// exp counts the variants of the campaign's experiment phase; nil
	// outside an experiment (stats.go).
	exp atomic.Pointer[experimentCounters]
	// flushedApplied and flushedRejected are applied[opEvaluate] and
	// rejected[opEvaluate][…] as the last flush to the stats keeper read
	// them; only the flush touches them (stats.go).
	flushedApplied  uint64
	flushedRejected []uint64
}

func newCampaignCounters() *campaignCounters {
	return &campaignCounters{rejected: make([]atomic.Uint64, int(nOps)*len(policies.Reasons)), flushedRejected: make([]uint64, len(policies.Reasons))}
}

// campaignTable holds the counters of every campaign seen since the
// process started (counters must not reset when a bundle drops a
// campaign). Requests read the map without a lock: it is replaced, never
// changed, and filled for a whole revision the first time a request sees
// that revision, so a request looks up and adds, nothing else.
type campaignTable struct {
	mu    sync.Mutex // serializes replacements of byID
	seen  atomic.Pointer[policies.Revision]
	flows // what is waiting for the stats keeper (stats.go)
	byID  atomic.Pointer[map[string]*campaignCounters]

	appliedDesc, rejectedDesc *prometheus.Desc
}

func (t *campaignTable) init() {
	t.byID.Store(&map[string]*campaignCounters{})
	t.appliedDesc = prometheus.NewDesc("promoedge_campaign_applied_total",
		"Decisions in which the campaign applied (a discount, points or a free item), by campaign and by what priced them (evaluate, redeem).",
		[]string{"campaign", "op"}, nil)
	t.rejectedDesc = prometheus.NewDesc("promoedge_campaign_rejected_total",
		"Decisions that rejected the campaign, by campaign, by what priced them and by reason (a code that matches no campaign has campaign=\"\").",
		[]string{"campaign", "op", "reason"}, nil)
}

// count adds the outcome of one decision priced by rev; subject is who
// an experiment assigned (the customer, or the cart).
func (t *campaignTable) count(rev *policies.Revision, o op, dec *policies.Decision, subject string) {
	if rev != nil && t.seen.Load() != rev {
		t.addRevision(rev)
	}
	tab := *t.byID.Load()
	for i := range dec.Applied {
		id := dec.Applied[i].Campaign
		if dec.Applied[i].Reward != "" || (i > 0 && dec.Applied[i-1].Campaign == id) {
			continue // a loyalty reward, or a campaign's next effect (adjacent: counted once)
		}
		c := t.get(tab, id)
		c.applied[o].Add(1)
		if v := dec.Applied[i].Variant; v != "" && o == opEvaluate {
			c.expose(v, subject)
		}
	}
	for i := range dec.Points {
		if id := dec.Points[i].Campaign; !discounted(dec, id) {
			t.get(tab, id).applied[o].Add(1)
		}
	}
	for i := range dec.FreeItems {
		id := dec.FreeItems[i].Campaign
		if (i == 0 || dec.FreeItems[i-1].Campaign != id) && !discounted(dec, id) && !pointed(dec, id) && !rewarded(dec, id) {
			t.get(tab, id).applied[o].Add(1)
		}
	}
	n := len(policies.Reasons)
	for i := range dec.Rejected {
		r := &dec.Rejected[i]
		if ri, ok := reasonIndex[r.Reason]; ok {
			c := t.get(tab, r.Campaign)
			c.rejected[int(o)*n+ri].Add(1)
			if r.Reason == policies.Holdout && o == opEvaluate {
				c.expose(r.Variant, subject)
			}
		}
	}
}

func discounted(dec *policies.Decision, id string) bool {
	for i := range dec.Applied {
		if dec.Applied[i].Campaign == id {
			return true
		}
	}
	return false
}

func pointed(dec *policies.Decision, id string) bool {
	for i := range dec.Points {
		if dec.Points[i].Campaign == id {
			return true
		}
	}
	return false
}

// get is id's counters, added if the table lacks them (a campaign of a
// revision swapped in while the request ran, or "" for unknown codes).
func (t *campaignTable) get(tab map[string]*campaignCounters, id string) *campaignCounters {
	if c, ok := tab[id]; ok {
		return c
	}
	return t.add(func(next map[string]*campaignCounters) {
		if _, ok := next[id]; !ok {
			next[id] = newCampaignCounters()
		}
	})[id]
}

// addRevision adds counters for every campaign of rev, in one copy.
func (t *campaignTable) addRevision(rev *policies.Revision) {
	t.add(func(next map[string]*campaignCounters) {
		for _, c := range rev.Campaigns() {
			cc, ok := next[c.ID]
			if !ok {
				cc = newCampaignCounters()
				next[c.ID] = cc
			}
			t.follow(cc, c)
		}
		next[""] = newCampaignCounters() // codes that match no campaign
	})
	t.seen.Store(rev)
}

// add replaces the table with a copy that fill completed, and returns it.
func (t *campaignTable) add(fill func(map[string]*campaignCounters)) map[string]*campaignCounters {
	t.mu.Lock()
	defer t.mu.Unlock()
	old := *t.byID.Load()
	next := make(map[string]*campaignCounters, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	fill(next)
	t.byID.Store(&next)
	return next
}

// Describe implements prometheus.Collector.
func (t *campaignTable) Describe(ch chan<- *prometheus.Desc) {
	ch <- t.appliedDesc
	ch <- t.rejectedDesc
}

// Collect implements prometheus.Collector: one series per campaign, op
// (and reason) that counted anything, so a bundle of many campaigns does
// not export thousands of zeros.
func (t *campaignTable) Collect(ch chan<- prometheus.Metric) {
	n := len(policies.Reasons)
	for id, c := range *t.byID.Load() {
		for o := range nOps {
			if v := c.applied[o].Load(); v > 0 {
				ch <- constMetric(t.appliedDesc, prometheus.CounterValue, float64(v), id, opNames[o])
			}
			for ri, reason := range policies.Reasons {
				if v := c.rejected[int(o)*n+ri].Load(); v > 0 {
					ch <- constMetric(t.rejectedDesc, prometheus.CounterValue, float64(v), id, opNames[o], string(reason))
				}
			}
		}
	}
}

// rewarded reports whether id is a loyalty reward of dec (a reward's free
// item names it): rewards are not campaigns.
func rewarded(dec *policies.Decision, id string) bool {
	for i := range dec.Applied {
		if dec.Applied[i].Reward == id {
			return true
		}
	}
	return false
}
