package cluster

import (
	"errors"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/memberlist"
)

// faultNet drops all traffic between groups of nodes (by gossip port) to
// make partitions: both ends of every link see the loss.
type faultNet struct {
	mu    sync.RWMutex
	group map[int]int     // port -> group; traffic flows only within a group
	pairs map[[2]int]bool // links cut one by one, both ways
}

func newFaultNet() *faultNet { return &faultNet{group: map[int]int{}, pairs: map[[2]int]bool{}} }

// cut drops the traffic between two ports, both ways.
func (f *faultNet) cut(a, b int) {
	f.mu.Lock()
	f.pairs[[2]int{a, b}], f.pairs[[2]int{b, a}] = true, true
	f.mu.Unlock()
}

// split puts each port in its group; heal puts them all back together.
func (f *faultNet) split(groups ...[]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for g, ports := range groups {
		for _, p := range ports {
			f.group[p] = g + 1
		}
	}
}

func (f *faultNet) heal() {
	f.mu.Lock()
	clear(f.group)
	clear(f.pairs)
	f.mu.Unlock()
}

func (f *faultNet) blocked(from int, to string) bool {
	_, p, err := net.SplitHostPort(to)
	if err != nil {
		return false
	}
	port, _ := strconv.Atoi(p)
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.group[from] != f.group[port] || f.pairs[[2]int{from, port}]
}

// faultTransport is memberlist's NetTransport with a faultNet in front.
type faultTransport struct {
	*memberlist.NetTransport
	net     *faultNet
	port    int
	sent    atomic.Int64 // bytes written: packets and streams both ways
	streams chan net.Conn
}

// countingConn counts the bytes a stream writes.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// StreamCh wraps accepted streams so their writes are counted.
func (t *faultTransport) StreamCh() <-chan net.Conn { return t.streams }

var _ memberlist.NodeAwareTransport = (*faultTransport)(nil)

func newFaultTransport(fn *faultNet, port int) (*faultTransport, error) {
	var nt *memberlist.NetTransport
	var err error
	for range 20 { // a port just freed may still be busy for a moment
		nt, err = memberlist.NewNetTransport(&memberlist.NetTransportConfig{BindAddrs: []string{"127.0.0.1"}, BindPort: port})
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		return nil, err
	}
	t := &faultTransport{NetTransport: nt, net: fn, port: nt.GetAutoBindPort(), streams: make(chan net.Conn)}
	go func() {
		for c := range nt.StreamCh() {
			t.streams <- countingConn{c, &t.sent}
		}
	}()
	return t, nil
}

func (t *faultTransport) WriteTo(b []byte, addr string) (time.Time, error) {
	if t.net.blocked(t.port, addr) {
		return time.Now(), nil
	}
	t.sent.Add(int64(len(b)))
	return t.NetTransport.WriteTo(b, addr)
}

func (t *faultTransport) WriteToAddress(b []byte, a memberlist.Address) (time.Time, error) {
	if t.net.blocked(t.port, a.Addr) {
		return time.Now(), nil
	}
	t.sent.Add(int64(len(b)))
	return t.NetTransport.WriteToAddress(b, a)
}

func (t *faultTransport) DialTimeout(addr string, timeout time.Duration) (net.Conn, error) {
	if t.net.blocked(t.port, addr) {
		return nil, errors.New("partitioned")
	}
	c, err := t.NetTransport.DialTimeout(addr, timeout)
	if err != nil {
		return nil, err
	}
	return countingConn{c, &t.sent}, nil
}

func (t *faultTransport) DialAddressTimeout(a memberlist.Address, timeout time.Duration) (net.Conn, error) {
	return t.DialTimeout(a.Addr, timeout)
}
