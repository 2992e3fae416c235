package cluster

import (
	"maps"
	"slices"
	"sync"

	"github.com/hashicorp/memberlist"

	"github.com/promoedge/promoedge/policies/store"
)

// memberBook is the fleet this node belonged to, as its file remembers
// it (store.FleetTx.Members): every other member seen, at its last
// address. A node restarted without Join (the seed, started without
// --join) joins them at start and, while it finds itself alone, again
// every ReconnectInterval; without it, it would come back alone while the
// others, which never noticed it was gone or gave up on it, wait for a
// push/pull that may be half a minute away.
type memberBook struct {
	mu    sync.Mutex
	known map[string]string // name -> HOST:PORT
	dirty chan struct{}     // a member was seen at a new address
}

func newMemberBook() *memberBook {
	return &memberBook{known: map[string]string{}, dirty: make(chan struct{}, 1)}
}

// load reads the members the file remembers.
func (b *memberBook) load(f *store.FleetTx) {
	b.mu.Lock()
	b.known = f.Members()
	b.mu.Unlock()
}

// seen records a member at its address.
func (b *memberBook) seen(node *memberlist.Node) {
	addr := node.Address()
	b.mu.Lock()
	changed := b.known[node.Name] != addr
	b.known[node.Name] = addr
	b.mu.Unlock()
	if changed {
		select {
		case b.dirty <- struct{}{}:
		default:
		}
	}
}

func (b *memberBook) snapshot() map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return maps.Clone(b.known)
}

// rejoinAddrs is Config.Join and the addresses of the members remembered,
// this node's own excluded.
func (n *Node) rejoinAddrs() []string {
	addrs := slices.Clone(n.cfg.Join)
	for name, addr := range n.book.snapshot() {
		if name != n.cfg.Name && !slices.Contains(addrs, addr) {
			addrs = append(addrs, addr)
		}
	}
	slices.Sort(addrs)
	return addrs
}

// rejoinRemembered joins the members the file remembers that are not
// members now, at start (reconnectLoop): the seed restarted without Join
// finds its fleet at once.
func (n *Node) rejoinRemembered() {
	live := map[string]bool{}
	for _, m := range n.ml.Members() {
		live[m.Name] = true
	}
	var addrs []string
	for name, addr := range n.book.snapshot() {
		if !live[name] && name != n.cfg.Name {
			addrs = append(addrs, addr)
		}
	}
	if len(addrs) == 0 {
		return
	}
	if k, err := n.ml.Join(addrs); err != nil && k == 0 {
		n.log.Warn("rejoining the members this node knew: none reachable yet, will retry while alone", "members", addrs, "err", err)
	}
}

// rememberLoop writes the members seen to the file as they change, so the
// next start finds them.
func (n *Node) rememberLoop() {
	for {
		select {
		case <-n.stop:
			return
		case <-n.book.dirty:
		}
		m := n.book.snapshot()
		delete(m, n.cfg.Name)
		if err := n.st.UpdateFleet(func(f *store.FleetTx) error { return f.PutMembers(m) }); err != nil {
			n.log.Warn("remembering the fleet's members", "err", err)
		}
	}
}

// remember records another member seen alive (memberlist's callbacks).
func (n *Node) remember(node *memberlist.Node) {
	if node.Name != n.cfg.Name {
		n.book.seen(node)
	}
}
