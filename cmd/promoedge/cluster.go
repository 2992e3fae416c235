package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/promoedge/promoedge/cluster"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar"
)

// fleet wires the cluster into serve: a lone sidecar keeps its kill
// switch to itself and counts limits against its own usage (the store
// without a Limiter); a clustered one counts them with escrowed rights:
// the cluster's Limiter in the store's commits, its Rights as the
// engine's Supplier, its Usage and CodeHints for evaluate.
type fleet struct {
	cc     *cluster.Config // nil when not clustered
	lim    *cluster.Limiter
	active *policies.Active      // the engine's revision, which the node follows
	node   *cluster.Node         // nil when not clustered
	sw     *policies.Switchboard // the lone sidecar's switches
	st     *store.Store
	log    *slog.Logger
	left   sync.Once
	joined bool // start ran: the node serves, and leaving hands its rights off
}

func (c serveConfig) clustered() bool { return c.Node != "" || c.Bind != "" || c.Join != "" }

func newFleet(cfg serveConfig, log *slog.Logger, metrics *sidecar.Metrics) (*fleet, error) {
	f := &fleet{log: log, active: new(policies.Active)}
	if !cfg.clustered() {
		return f, nil
	}
	name := cfg.Node
	if name == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("--node not given and no hostname: %w", err)
		}
		name = h
	}
	cc := cluster.DefaultConfig(name)
	if cfg.Bind != "" {
		cc.Bind = cfg.Bind
	}
	for _, j := range strings.Split(cfg.Join, ",") {
		if j = strings.TrimSpace(j); j != "" {
			cc.Join = append(cc.Join, j)
		}
	}
	cc.KeyFile = cfg.Key
	cc.Minter = cfg.Minter == name || (cfg.Minter == "" && len(cc.Join) == 0)
	cc.Version, cc.Log, cc.Observer = version, log, rightsObserver{metrics}
	if err := cc.Validate(); err != nil {
		return nil, err
	}
	f.cc, f.lim = &cc, cluster.NewLimiter()
	return f, nil
}

// storeConfig counts limits with the cluster's rights when clustered.
func (f *fleet) storeConfig(dir string) store.Config {
	sc := store.DefaultConfig(dir)
	if f.lim != nil {
		sc.Limiter = f.lim
		sc.WalletChanges = true // its wallet shares are told to the fleet
	}
	return sc
}

// attach joins the cluster on st's file (a lone sidecar opens its
// switches there).
func (f *fleet) attach(st *store.Store) error {
	f.st = st
	var err error
	if f.cc == nil {
		f.sw, err = policies.OpenSwitchboard(st, "local", nil)
		return err
	}
	f.node, err = cluster.New(*f.cc, st, f.lim, f.active.Load)
	return err
}

func (f *fleet) engineConfig() policies.Config {
	cfg := policies.Config{Active: f.active, Usage: f.st, Codes: f.st, Committer: f.st, Switches: f.sw,
		Wallets: f.st, Events: f.st, GiftCards: f.st, Referrals: f.st}
	if f.node == nil {
		return cfg
	}
	// In a fleet: usage, rights, switches, wallets' shares and claims are
	// the fleet's; triggers fire on the node that scheduled them, and
	// cancellations are sent to all (Peers).
	cfg.Usage, cfg.CodeHints, cfg.Supplier, cfg.Switches, cfg.Node = f.node.Usage(), f.node.CodeHints(), f.node.Rights(), f.node, f.node.Name()
	cfg.WalletPool, cfg.Peers, cfg.Registry, cfg.Keyed = f.node.Rights(), f.node, f.node.Registry(), f.st
	return cfg
}

// start follows the first bundle at once (the minter mints its limits
// before serving); SIGHUP reloads the gossip keys.
func (f *fleet) start(ctx context.Context) error {
	if f.node == nil {
		return nil
	}
	if err := f.node.Follow(); err != nil {
		return err
	}
	f.joined = true
	f.log.Info("cluster joined", "node", f.node.Name(), "addr", f.node.Addr())
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				if err := f.node.ReloadKeys(); err != nil {
					f.log.Error("reloading gossip keys", "err", err)
				}
			}
		}
	}()
	return nil
}

// stop leaves the cluster, once. A node that never served (serve failed
// before start) stops without handing its rights off, as it did when it
// joined only at start.
func (f *fleet) stop() {
	f.left.Do(func() {
		switch {
		case f.node == nil:
		case f.joined:
			_ = f.node.Leave(time.Second)
		default:
			_ = f.node.Shutdown()
		}
	})
}

func (f *fleet) deps(engine *policies.Engine, act sidecar.Bundles) sidecar.Deps {
	d := sidecar.Deps{Engine: engine, State: f.st, Bundles: act, Switches: f.sw, Stats: f.st}
	if f.node != nil {
		d.State, d.Switches, d.Fleet = fleetState{f.st, f.node}, f.node, fleetView{f.node}
		d.Stats = f.node.Stats()
		d.Reservations = f.node.Reservations() // made on another node: carried there
	}
	return d
}

// A fleet carries requests for reservations made elsewhere.
var _ sidecar.Forwarder = (*cluster.Reservations)(nil)

// fleetState is the store with usage read cluster-wide.
type fleetState struct {
	*store.Store
	node *cluster.Node
}

func (s fleetState) Used(ctx context.Context, campaign, customer string) (policies.Used, error) {
	return s.node.Usage().Used(ctx, campaign, customer)
}

func (s fleetState) UsedIn(ctx context.Context, campaign, period, customer string) (policies.Used, error) {
	return s.node.Usage().UsedIn(ctx, campaign, period, customer)
}

// triggerSettle is how long a node waits after joining before it fires
// scheduled triggers: the triggers due while it was away would otherwise
// fire before the peers' cancellations of that time reach it (they are
// sent again when it joins: cluster/triggers.go).
func (f *fleet) triggerSettle() time.Duration {
	if f.node == nil {
		return 0
	}
	return 2 * time.Second
}
