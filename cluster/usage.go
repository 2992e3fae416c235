package cluster

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/money"
	"github.com/promoedge/promoedge/policies/store"
)

// Usage is the fleet's usage of every campaign (policies.Usage): this
// node's own, read from its file and gossiped as its registers change,
// plus what every other node last gossiped (the usage CRDT).
type Usage struct {
	*base
	table   *usageTable
	version atomic.Uint64 // of this node's usage registers
	dirtyMu sync.Mutex
	dirty   map[string]struct{} // campaigns whose counters changed
	echo    map[string]int      // campaigns to announce again, in ticks
}

var _ policies.Usage = (*Usage)(nil)

// usageTable is the usage CRDT: for each campaign, each node's register
// (its own usage and the rights it holds). A node writes only its own
// registers; a merge keeps the higher version per node, so merges commute
// and repeat harmlessly, and the cluster-wide usage is the sum of the
// registers.
type usageTable struct {
	mu   sync.RWMutex
	regs map[string]map[string]counters // campaign -> node -> register
}

func newUsageTable() *usageTable { return &usageTable{regs: map[string]map[string]counters{}} }

// merge keeps c for node if it is newer and reports whether it was.
func (t *usageTable) merge(campaign, node string, c counters) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	byNode := t.regs[campaign]
	if byNode == nil {
		byNode = map[string]counters{}
		t.regs[campaign] = byNode
	}
	if cur, ok := byNode[node]; ok && cur.Version >= c.Version {
		return false
	}
	byNode[node] = c
	return true
}

// others sums the usage that nodes other than self report.
func (t *usageTable) others(campaign, self string) (redemptions, spent int64) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for node, c := range t.regs[campaign] {
		if node != self {
			redemptions += c.Redemptions
			spent += c.Spent
		}
	}
	return redemptions, spent
}

// holders lists the nodes other than self that last said they hold rights
// of k, most first.
func (t *usageTable) holders(k limitKey, self string) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	type h struct {
		node string
		held int64
	}
	var hs []h
	for node, c := range t.regs[k.Campaign] {
		held := c.HeldCount
		if isBudget(k.Limit) {
			held = c.HeldBudget
		}
		if node != self && held > 0 {
			hs = append(hs, h{node, held})
		}
	}
	for i := 1; i < len(hs); i++ { // few nodes: insertion sort
		for j := i; j > 0 && hs[j].held > hs[j-1].held; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	out := make([]string, len(hs))
	for i := range hs {
		out[i] = hs[i].node
	}
	return out
}

// forget records that node said it holds no rights of k, until its next
// register says otherwise.
func (t *usageTable) forget(k limitKey, node string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c, ok := t.regs[k.Campaign][node]
	if !ok {
		return
	}
	if isBudget(k.Limit) {
		c.HeldBudget = 0
	} else {
		c.HeldCount = 0
	}
	t.regs[k.Campaign][node] = c
}

// Used implements policies.Usage: this node's own usage, read from its
// file, plus what every other node last gossiped. The customer's count is
// this node's (per_customer is exact per node).
func (us *Usage) Used(ctx context.Context, campaign, customer string) (policies.Used, error) {
	u, err := us.st.Used(ctx, campaign, customer)
	if err != nil {
		return u, err
	}
	r, s := us.table.others(campaign, us.cfg.Name)
	u.Redemptions += r
	u.Spent = money.Saturating(max(0, u.Spent), s)
	return u, nil
}

// touch marks campaign's counters as changed; the publish loop gossips
// them. It runs inside commits, so it only takes a small lock.
func (us *Usage) touch(campaign string) {
	us.dirtyMu.Lock()
	us.dirty[campaign] = struct{}{}
	us.dirtyMu.Unlock()
}

func (us *Usage) markAllDirty() {
	_ = us.st.ViewFleet(func(f *store.FleetTx) error {
		return f.EachRights(func(k policies.RightsKey, _ policies.Rights) error {
			us.touch(keyOf(k).Campaign)
			return nil
		})
	})
	if rev := us.revision(); rev != nil {
		for _, c := range rev.Campaigns() {
			if c.Limits != (policies.Limits{}) {
				us.touch(c.ID)
			}
		}
	}
}

// touchKey marks the campaign of a limit's rights changed; a code's
// rights are not gossiped.
func (us *Usage) touchKey(k limitKey) {
	if k.Limit != limitCode {
		us.touch(k.Campaign)
	}
}

// publish reads the changed campaigns' counters from the file and queues
// them as broadcasts, each under its own name so a newer one replaces an
// older one still queued.
func (us *Usage) publish() {
	us.repeat()
	us.dirtyMu.Lock()
	if len(us.dirty) == 0 {
		us.dirtyMu.Unlock()
		return
	}
	campaigns := make([]string, 0, len(us.dirty))
	for c := range us.dirty {
		campaigns = append(campaigns, c)
		us.echo[c] = echoTicks
	}
	clear(us.dirty)
	us.dirtyMu.Unlock()
	for _, campaign := range campaigns {
		c := us.ownCounters(campaign)
		us.table.mu.Lock()
		if us.table.regs[campaign] == nil {
			us.table.regs[campaign] = map[string]counters{}
		}
		us.table.regs[campaign][us.cfg.Name] = c
		us.table.mu.Unlock()
		m := message{kind: kUsage, node: us.cfg.Name, campaign: campaign, c: c}
		us.queue.QueueBroadcast(&broadcast{name: "u/" + us.cfg.Name + "/" + campaign, msg: m.encode(nil)})
	}
}

// echoTicks is how many publish intervals after a change its register is
// announced once more, for a peer the first broadcast missed.
const echoTicks = 5

// repeat queues again, unchanged, the registers changed echoTicks ago.
func (us *Usage) repeat() {
	var again []string
	us.dirtyMu.Lock()
	for c, ticks := range us.echo {
		if ticks <= 1 {
			again = append(again, c)
			delete(us.echo, c)
		} else {
			us.echo[c] = ticks - 1
		}
	}
	us.dirtyMu.Unlock()
	for _, campaign := range again {
		us.table.mu.RLock()
		c, ok := us.table.regs[campaign][us.cfg.Name]
		us.table.mu.RUnlock()
		if ok {
			m := message{kind: kUsage, node: us.cfg.Name, campaign: campaign, c: c}
			us.queue.QueueBroadcast(&broadcast{name: "u/" + us.cfg.Name + "/" + campaign, msg: m.encode(nil)})
		}
	}
}

// ownCounters is this node's register for campaign, read now.
func (us *Usage) ownCounters(campaign string) counters {
	if c, period, ok := strings.Cut(campaign, "\x00"); ok { // a period's register (periods.go)
		u, _ := us.st.UsedIn(context.Background(), c, period, "")
		count := us.heldOf(periodLimitKey(c, period, limitPeriodCount))
		budget := us.heldOf(periodLimitKey(c, period, limitPeriodBudget))
		return counters{Version: us.version.Add(1), Redemptions: u.PeriodRedemptions, Spent: u.PeriodSpent, HeldCount: count, HeldBudget: budget}
	}
	u, _ := us.st.Used(context.Background(), campaign, "")
	count, budget := us.held(campaign)
	return counters{Version: us.version.Add(1), Redemptions: u.Redemptions, Spent: u.Spent, HeldCount: count, HeldBudget: budget}
}
