package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/store"
)

// tnode is one sidecar of a test fleet: its own file, store, engine and
// memberlist.
type tnode struct {
	name string
	dir  string
	port int
	node *Node
	st   *store.Store
	eng  *policies.Engine
	up   bool
	busy sync.WaitGroup // redeems in progress
	tr   *faultTransport
	// alone restarts the node without Join addresses, as the seed
	// (started without --join) is restarted.
	alone bool
}

var testLog *slog.Logger

type fleet struct {
	t     testing.TB
	net   *faultNet
	rev   *policies.Revision
	nodes []*tnode
	seq   atomic.Int64
	mu    sync.Mutex // guards tnode.up against the load
	tune  func(*Config)
}

// campaignDoc is a campaign with a 100-cent discount and the given limits.
func campaignDoc(limits string) string {
	return `{"name":"t","effects":[{"type":"amount_off","amount":100}],"limits":{` + limits + `}}`
}

// testRevision is revision id of campaigns (id -> JSON document).
func testRevision(t testing.TB, id string, campaigns map[string]string) *policies.Revision {
	t.Helper()
	files := map[string]string{}
	for cid, doc := range campaigns {
		files["promo/campaigns/"+cid+"/data.json"] = doc
	}
	return loadRevision(t, id, files)
}

// loadRevision is revision id of a bundle of files (path -> content)
// under the root promo.
func loadRevision(t testing.TB, id string, files map[string]string) *policies.Revision {
	t.Helper()
	fsys := fstest.MapFS{".manifest": {Data: []byte(`{"revision":"` + id + `","roots":["promo"]}`)}}
	for path, doc := range files {
		fsys[path] = &fstest.MapFile{Data: []byte(doc)}
	}
	rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "test"}, fsys)
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// newFleet starts n nodes; the first is the minter, the others join it.
func newFleet(t testing.TB, n int, rev *policies.Revision) *fleet {
	return newFleetWith(t, n, rev, nil)
}

// newFleetWith starts n nodes whose configuration tune adjusts.
func newFleetWith(t testing.TB, n int, rev *policies.Revision, tune func(*Config)) *fleet {
	f := &fleet{t: t, net: newFaultNet(), rev: rev, tune: tune}
	root := t.TempDir()
	for i := range n {
		tn := &tnode{name: fmt.Sprintf("n%d", i), dir: filepath.Join(root, fmt.Sprintf("n%d", i))}
		f.nodes = append(f.nodes, tn)
		f.start(tn)
	}
	t.Cleanup(func() {
		for _, tn := range f.nodes {
			f.crash(tn)
		}
	})
	f.waitMembers(n)
	return f
}

// start (re)starts tn on its own file, joining the first node that is up.
func (f *fleet) start(tn *tnode) {
	t := f.t
	t.Helper()
	tr, err := newFaultTransport(f.net, tn.port)
	if err != nil {
		t.Fatal(err)
	}
	tn.port, tn.tr = tr.port, tr
	cfg := FastConfig(tn.name)
	if f.tune != nil {
		f.tune(&cfg)
	}
	cfg.Bind = "127.0.0.1:" + strconv.Itoa(tn.port)
	cfg.Transport = tr
	cfg.Minter = cfg.Minter || tn == f.nodes[0] // tune may make others mint too
	cfg.Log = testLog
	for _, o := range f.nodes {
		if o != tn && o.up && !tn.alone {
			cfg.Join = append(cfg.Join, "127.0.0.1:"+strconv.Itoa(o.port))
		}
	}
	lim := NewLimiter()
	sc := store.DefaultConfig(tn.dir)
	sc.Limiter = lim
	sc.Now = cfg.Now // nil unless tune set the node's clock
	sc.WalletChanges = true
	if tn.st, err = store.Open(sc); err != nil {
		t.Fatal(err)
	}
	active := new(policies.Active)
	active.Swap(f.rev)
	if tn.node, err = New(cfg, tn.st, lim, active.Load); err != nil {
		t.Fatal(err)
	}
	tn.eng = policies.NewEngine(policies.Config{Active: active, Usage: tn.node.Usage(), Codes: tn.st, CodeHints: tn.node.CodeHints(),
		Committer: tn.st, Supplier: tn.node.Rights(), Switches: tn.node, Wallets: tn.st, WalletPool: tn.node.Rights(), Events: tn.st, Peers: tn.node, GiftCards: tn.st, Referrals: tn.st, Registry: tn.node.Registry(), Keyed: tn.st, Now: cfg.Now})
	f.mu.Lock()
	tn.up = true
	f.mu.Unlock()
}

// crashWhileLoaded stops sending tn new work, crashes it as soon as the
// redeems in progress return (they hold its store), and waits for none.
func (f *fleet) crashWhileLoaded(tn *tnode) {
	f.mu.Lock()
	tn.up = false
	f.mu.Unlock()
	tn.node.Shutdown() // silent: the others find out by probing
	tn.busy.Wait()
	tn.st.Close()
}

func (f *fleet) restart(tn *tnode) {
	f.start(tn)
	f.waitMembers(len(f.nodes))
}

// heldInFile reads the rights a stopped node's file holds.
func (f *fleet) heldInFile(tn *tnode, campaign string) int64 {
	st, err := store.Open(store.DefaultConfig(tn.dir))
	if err != nil {
		f.t.Fatal(err)
	}
	defer st.Close()
	var held int64
	_ = st.ViewFleet(func(tx *store.FleetTx) error {
		held = getRights(tx, limitKey{campaign, limitCount}).Held
		return nil
	})
	return held
}

// crash stops tn without leaving: its memberlist goes silent, its file
// closes with whatever it had committed.
func (f *fleet) crash(tn *tnode) {
	f.mu.Lock()
	up := tn.up
	tn.up = false
	f.mu.Unlock()
	if !up {
		return
	}
	tn.node.Shutdown()
	tn.st.Close()
}

func (f *fleet) waitMembers(n int) {
	f.t.Helper()
	f.eventually(5*time.Second, "every node sees "+strconv.Itoa(n)+" members", func() bool {
		for _, tn := range f.nodes {
			if tn.up && tn.node.ml.NumMembers() != n {
				return false
			}
		}
		return true
	})
}

func (f *fleet) eventually(d time.Duration, what string, ok func() bool) time.Duration {
	f.t.Helper()
	start := time.Now()
	for time.Since(start) < d {
		if ok() {
			return time.Since(start)
		}
		time.Sleep(5 * time.Millisecond)
	}
	for _, tn := range f.nodes {
		if tn.up {
			tn.node.usage.table.mu.RLock()
			f.t.Logf("%s: %+v", tn.name, tn.node.usage.table.regs)
			tn.node.usage.table.mu.RUnlock()
		}
	}
	if os.Getenv("CLUSTER_DEBUG") != "" {
		buf := make([]byte, 1<<22)
		_ = os.WriteFile("/tmp/goroutines.txt", buf[:runtime.Stack(buf, true)], 0o644)
	}
	f.t.Fatalf("not within %v: %s", d, what)
	return 0
}

// movesAcknowledged waits until no node that is up has a wallet or card
// move out that its receiver has not acknowledged.
func (f *fleet) movesAcknowledged(what string) {
	f.t.Helper()
	f.eventually(10*time.Second, what, func() bool {
		n := 0
		for _, tn := range f.nodes {
			if tn.up {
				_ = tn.st.EachMoveOut(func(string, *store.WalletMove) error { n++; return nil })
			}
		}
		return n == 0
	})
}

// evaluate evaluates body on tn.
func (f *fleet) evaluate(tn *tnode, body string) *policies.Decision {
	f.t.Helper()
	req, err := tn.eng.Decode([]byte(body))
	if err != nil {
		f.t.Fatal(err)
	}
	dec, err := tn.eng.Evaluate(context.Background(), req)
	if err != nil {
		f.t.Fatal(err)
	}
	return dec
}

// redeem redeems a one-line cart on tn and reports whether campaign
// applied.
func (f *fleet) redeem(tn *tnode, campaign, customer string) (bool, error) {
	return f.redeemCode(tn, campaign, customer, "")
}

// redeemCode is redeem presenting code.
func (f *fleet) redeemCode(tn *tnode, campaign, customer, code string) (bool, error) {
	k := f.seq.Add(1)
	cust := ""
	if customer != "" {
		cust = fmt.Sprintf(`,"customer":{"id":%q}`, customer)
	}
	if code != "" {
		cust += fmt.Sprintf(`,"codes":[%q]`, code)
	}
	body := fmt.Sprintf(`{"cart":{"currency":"USD","items":[{"id":"l1","sku":"A","quantity":1,"unit_price":1000}]},"context":{"now":"2026-11-24T12:00:00Z"}%s}`, cust)
	req, err := tn.eng.Decode([]byte(body))
	if err != nil {
		return false, err
	}
	receipt, err := tn.eng.Redeem(context.Background(), &policies.RedeemRequest{
		Request: req, OrderID: fmt.Sprint("o", k), IdempotencyKey: fmt.Sprintf("%s-k%d", tn.name, k), Hash: "h",
	})
	if err != nil {
		return false, err
	}
	out := receipt.Response
	var rc struct {
		ID      string             `json:"redemption_id"`
		Applied []policies.Applied `json:"applied"`
	}
	if err := json.Unmarshal(out, &rc); err != nil {
		return false, err
	}
	for _, a := range rc.Applied {
		if a.Campaign == campaign && a.Amount > 0 {
			return true, nil
		}
	}
	return false, nil
}

// ledger counts, on every node's file, the redemptions of campaign that
// stand (not rolled back).
func (f *fleet) ledger(campaign string) (total int64, byNode []int64) {
	byNode = make([]int64, len(f.nodes))
	f.eachRedemption(policies.LedgerQuery{Campaign: campaign}, func(i int, r *policies.Redemption) {
		if r.Status == policies.Redeemed {
			byNode[i]++
			total++
		}
	})
	return total, byNode
}

// eachRedemption calls fn with every redemption q selects in every
// node's file (i the node's index); a stopped node's file is opened for
// the read. A ledger that cannot be read fails the test.
func (f *fleet) eachRedemption(q policies.LedgerQuery, fn func(i int, r *policies.Redemption)) {
	f.t.Helper()
	for i, tn := range f.nodes {
		st := tn.st
		if !tn.up {
			var err error
			if st, err = store.Open(store.DefaultConfig(tn.dir)); err != nil {
				f.t.Fatal(err)
			}
		}
		err := st.Redemptions(context.Background(), q, func(r *policies.Redemption) error { fn(i, r); return nil })
		if !tn.up {
			st.Close()
		}
		if err != nil {
			f.t.Fatalf("reading %s's ledger: %v", tn.name, err)
		}
	}
}

// rightsTotal is Σ held + Σ consumed + Σ in flight of a limit over every
// node that is up, read from the files.
func (f *fleet) rightsTotal(campaign string, limit byte) (held, consumed, inflight int64) {
	k := limitKey{campaign, limit}
	out := map[string]int64{} // transfer id -> amount, from every outbox
	for _, tn := range f.nodes {
		if !tn.up {
			continue
		}
		a := tn.node.account(k)
		held, consumed = held+a.Held, consumed+a.Consumed
		_ = tn.st.ViewFleet(func(tx *store.FleetTx) error {
			return tx.EachOutgoing(func(id string, t *store.Transfer) error {
				if keyOf(t.Key) == k {
					out[id] = t.Amount
				}
				return nil
			})
		})
	}
	for id, amount := range out {
		credited := false
		for _, tn := range f.nodes {
			if tn.up {
				_ = tn.st.ViewFleet(func(tx *store.FleetTx) error {
					credited = credited || tx.Credited(id)
					return nil
				})
			}
		}
		if !credited {
			inflight += amount
		}
	}
	return held, consumed, inflight
}
