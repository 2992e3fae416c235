package cluster

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/hashicorp/memberlist"
)

// Config starts a Node. Every field is the operator's documentation.
type Config struct {
	// Name is this node's name, unique in the cluster and stable across
	// restarts: transfers of rights are addressed and deduplicated by it.
	Name string
	// Bind is the HOST:PORT that gossip (UDP) and transfers (TCP) use.
	// Port 0 picks a free port (tests).
	Bind string
	// Advertise is the HOST:PORT other nodes reach this one at; "" is Bind.
	Advertise string
	// Join lists HOST:PORT of members to join at start and to rejoin when
	// this node finds itself alone.
	Join []string
	// KeyFile holds the gossip encryption keys, base64, one a line, the
	// first being the primary (16, 24 or 32 bytes each). "" gossips in
	// the clear. ReloadKeys reads it again, so keys can be rotated: add
	// the new key everywhere, make it first everywhere, drop the old one.
	KeyFile string
	// Minter makes this node the one that creates rights when a bundle
	// introduces or raises a limit. Exactly one node of a cluster must be
	// the minter (see doc.go); it mints each limit once, durably.
	Minter bool
	// Version is this binary's version, shown in node metadata.
	Version string
	// PublishInterval is how often changed usage counters are gossiped.
	PublishInterval time.Duration
	// RetryInterval is how often a transfer not yet acknowledged is sent
	// again.
	RetryInterval time.Duration
	// ReconnectInterval is how often a node tries to rejoin members it
	// knew that are now dead (memberlist alone never does, so halves of a
	// long partition would stay apart).
	ReconnectInterval time.Duration
	// AcquireTimeout bounds how long a redemption that found too few rights
	// locally waits for rights from other nodes before it is rejected.
	AcquireTimeout time.Duration
	// WalletReadTimeout bounds how long a wallet read waits for the other
	// nodes' shares before it answers partial; 0 is half a second.
	WalletReadTimeout time.Duration
	// Memberlist is the base memberlist configuration; nil is
	// memberlist.DefaultLANConfig. Name, addresses, delegates and keys are
	// set from the fields above.
	Memberlist *memberlist.Config
	// Transport replaces memberlist's network transport (tests drop
	// traffic with it to make partitions); nil is UDP+TCP on Bind.
	Transport memberlist.Transport
	// Log receives the node's events; nil discards them.
	Log *slog.Logger
	// Now is the clock by which the minter mints the rights of per-period
	// limits (the period running and the next) and every node forgets
	// periods that ended; nil is time.Now.
	Now func() time.Time
	// PruneInterval is how often a node deletes what it keeps of periods
	// that ended policies.PeriodGrace ago, in its file and in memory; 0
	// is a minute.
	PruneInterval time.Duration
	// Observer is told of transfers of rights and of redemptions that
	// waited for them (metrics); nil tells no one.
	Observer Observer
}

// DefaultConfig is a production node named name.
func DefaultConfig(name string) Config {
	return Config{
		Name:              name,
		Bind:              "0.0.0.0:7946",
		PublishInterval:   200 * time.Millisecond,
		RetryInterval:     time.Second,
		ReconnectInterval: 10 * time.Second,
		AcquireTimeout:    2 * time.Second,
		WalletReadTimeout: 500 * time.Millisecond,
	}
}

// Validate reports a configuration that cannot start.
func (c Config) Validate() error {
	if c.Name == "" {
		return fmt.Errorf("%w: a node needs a name", ErrConfig)
	}
	if _, _, err := splitHostPort(c.Bind); err != nil {
		return fmt.Errorf("%w: bind %q: %v", ErrConfig, c.Bind, err)
	}
	if c.Advertise != "" {
		if _, _, err := splitHostPort(c.Advertise); err != nil {
			return fmt.Errorf("%w: advertise %q: %v", ErrConfig, c.Advertise, err)
		}
	}
	for _, d := range []time.Duration{c.PublishInterval, c.RetryInterval, c.ReconnectInterval, c.AcquireTimeout} {
		if d <= 0 {
			return fmt.Errorf("%w: intervals and timeouts must be positive", ErrConfig)
		}
	}
	return nil
}

func splitHostPort(hp string) (string, int, error) {
	host, p, err := net.SplitHostPort(hp)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port %q", p)
	}
	return host, port, nil
}

// memberlistConfig is c as memberlist wants it, with d as every delegate.
func (c Config) memberlistConfig(d *delegate) (*memberlist.Config, error) {
	ml := memberlist.DefaultLANConfig()
	if c.Memberlist != nil {
		cp := *c.Memberlist
		ml = &cp
	}
	ml.Name = c.Name
	host, port, _ := splitHostPort(c.Bind)
	ml.BindAddr, ml.BindPort = host, port
	ml.AdvertisePort = port
	if c.Advertise != "" {
		ml.AdvertiseAddr, ml.AdvertisePort, _ = splitHostPort(c.Advertise)
	}
	ml.Delegate, ml.Events = d, d
	ml.Transport = c.Transport
	ml.LogOutput, ml.Logger = io.Discard, nil
	if c.KeyFile != "" {
		keys, err := ReadKeyFile(c.KeyFile)
		if err != nil {
			return nil, err
		}
		if ml.Keyring, err = memberlist.NewKeyring(keys, keys[0]); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrKeys, err)
		}
		ml.GossipVerifyIncoming, ml.GossipVerifyOutgoing = true, true
	}
	return ml, nil
}
