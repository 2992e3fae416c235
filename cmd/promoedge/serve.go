package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/promoedge/promoedge/examples"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/sidecar"
)

// serveConfig is everything `promoedge serve` is told, from flags or the
// environment (PROMOEDGE_<FLAG>, dashes as underscores).
type serveConfig struct {
	HTTP     sidecar.Config
	Data     string // directory of the bbolt files
	Bundle   string // bundle directory or .tar.gz; "" serves the embedded example
	Watch    bool
	URL      string
	Poll     time.Duration
	VerifKey string
	Admin    string
	Node     string
	Bind     string
	Join     string
	Key      string
}

func parseServe(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	cfg := serveConfig{HTTP: sidecar.DefaultConfig()}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.HTTP.Listen, "listen", cfg.HTTP.Listen, "TCP address to serve the API on")
	fs.StringVar(&cfg.HTTP.Socket, "socket", "", "unix socket to serve the API on as well")
	fs.IntVar(&cfg.HTTP.MaxBodyBytes, "max-body", cfg.HTTP.MaxBodyBytes, "largest request body in bytes (413 above)")
	fs.StringVar(&cfg.Data, "data", "./data", "directory for the bbolt files")
	fs.StringVar(&cfg.Bundle, "bundle", "", "bundle directory or .tar.gz (default: the embedded example bundle)")
	fs.BoolVar(&cfg.Watch, "watch", false, "reload the bundle path when it changes")
	fs.StringVar(&cfg.URL, "bundle-url", "", "poll an OPA-style bundle server at this URL")
	fs.DurationVar(&cfg.Poll, "bundle-poll", 10*time.Second, "how often to poll --bundle-url")
	fs.StringVar(&cfg.VerifKey, "verification-key", "", "require bundles signed for this public key")
	fs.StringVar(&cfg.Admin, "admin-token", "", "bearer token for admin endpoints (without it they are refused)")
	fs.StringVar(&cfg.Node, "node", "", "this node's name in the cluster")
	fs.StringVar(&cfg.Bind, "cluster-bind", "", "HOST:PORT for cluster gossip")
	fs.StringVar(&cfg.Join, "join", "", "HOST:PORT,... of cluster members to join")
	fs.StringVar(&cfg.Key, "cluster-key", "", "file with the gossip encryption key")
	if err := fs.Parse(args); err != nil {
		return cfg, errUsage
	}
	if err := fromEnv(fs, getenv); err != nil {
		return cfg, err
	}
	return cfg, cfg.validate()
}

// fromEnv sets every flag not given on the command line from
// PROMOEDGE_<NAME> when that is set.
func fromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "PROMOEDGE_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v := getenv(name); v != "" && !given[f.Name] && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

func (c serveConfig) validate() error {
	notYet := map[string]bool{
		"--watch": c.Watch, "--bundle-url": c.URL != "", "--verification-key": c.VerifKey != "",
		"--node": c.Node != "", "--cluster-bind": c.Bind != "", "--join": c.Join != "", "--cluster-key": c.Key != "",
	}
	for flagName, set := range notYet {
		if set {
			return fmt.Errorf("%s is not supported by this build yet", flagName)
		}
	}
	return c.HTTP.Validate()
}

func serve(ctx context.Context, cfg serveConfig, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	rev, err := loadBundle(ctx, cfg.Bundle)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return fmt.Errorf("creating the data directory: %w", err)
	}
	st, err := store.Open(store.DefaultConfig(cfg.Data))
	if err != nil {
		return err
	}
	defer st.Close()
	engine := policies.NewEngine(policies.Config{Usage: st, Codes: st, Committer: st})
	engine.Swap(rev)
	log.Info("bundle active", "revision", rev.ID, "source", rev.Source, "campaigns", len(rev.Campaigns()))
	cfg.HTTP.AdminToken = cfg.Admin
	srv, err := sidecar.New(cfg.HTTP, engine, st)
	if err != nil {
		return err
	}
	lns, err := srv.Listen()
	if err != nil {
		return err
	}
	for _, ln := range lns {
		log.Info("serving", "addr", ln.Addr().String())
	}
	if err := srv.Serve(ctx, lns...); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	log.Info("stopped")
	return nil
}

func loadBundle(ctx context.Context, path string) (*policies.Revision, error) {
	if path == "" {
		return bundle.LoadFS(ctx, bundle.Config{Source: "embedded:examples/default"}, examples.Default())
	}
	return bundle.LoadPath(ctx, path)
}
