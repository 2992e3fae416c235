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
// switch to itself and counts limits with the store's Local counter; a
// clustered one counts them with escrowed rights (cluster.Node).
type fleet struct {
	node *cluster.Node        // nil when not clustered
	sw   *cluster.Switchboard // the lone sidecar's switches
	st   *store.Store
	log  *slog.Logger
	left sync.Once
}

func (c serveConfig) clustered() bool { return c.Node != "" || c.Bind != "" || c.Join != "" }

func newFleet(cfg serveConfig, log *slog.Logger, obs cluster.Observer) (*fleet, error) {
	f := &fleet{log: log}
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
	cc.Version, cc.Log, cc.Observer = version, log, obs
	var err error
	f.node, err = cluster.New(cc)
	return f, err
}

// storeConfig counts limits with the cluster's rights when clustered.
func (f *fleet) storeConfig(dir string) store.Config {
	sc := store.DefaultConfig(dir)
	if f.node != nil {
		sc.Limiter = f.node
	}
	return sc
}

func (f *fleet) attach(st *store.Store) error {
	f.st = st
	if f.node != nil {
		return nil
	}
	var err error
	f.sw, err = cluster.OpenSwitchboard(st.DB(), "local")
	return err
}

func (f *fleet) engineConfig() policies.Config {
	if f.node == nil {
		return policies.Config{Usage: f.st, Codes: f.st, Committer: f.st, Switches: f.sw}
	}
	return policies.Config{Usage: f.node, Codes: f.st, CodeHints: f.node, Committer: f.st, Supplier: f.node, Switches: f.node}
}

// start joins the cluster; SIGHUP reloads the gossip keys.
func (f *fleet) start(ctx context.Context, engine *policies.Engine) error {
	if f.node == nil {
		return nil
	}
	if err := f.node.Start(f.st, engine.Revision); err != nil {
		return err
	}
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

// stop leaves the cluster, once.
func (f *fleet) stop() {
	f.left.Do(func() {
		if f.node != nil {
			_ = f.node.Leave(time.Second)
		}
	})
}

func (f *fleet) deps(engine *policies.Engine, act sidecar.Bundles) sidecar.Deps {
	d := sidecar.Deps{Engine: engine, State: f.st, Bundles: act, Switches: f.sw}
	if f.node != nil {
		d.State, d.Switches, d.Fleet = fleetState{f.st, f.node}, f.node, f.node
	}
	return d
}

// fleetState is the store with usage read cluster-wide.
type fleetState struct {
	*store.Store
	node *cluster.Node
}

func (s fleetState) Used(ctx context.Context, campaign, customer string) (policies.Used, error) {
	return s.node.Used(ctx, campaign, customer)
}
