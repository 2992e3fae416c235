package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/promoedge/promoedge/examples"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/activation"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/rego"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/policies/webhook"
	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/wasm"
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
	VerifAlg string
	Admin    string
	Node     string
	Bind     string
	Join     string
	Key      string
	Minter   string
	Rules    bundle.RuleLimits
	Hooks    webhookFlags   // as given
	Webhooks webhook.Config // as read: endpoints and their secrets
}

func parseServe(args []string, getenv func(string) string, stderr io.Writer) (serveConfig, error) {
	cfg := serveConfig{HTTP: sidecar.DefaultConfig()}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.HTTP.Listen, "listen", cfg.HTTP.Listen, "TCP address to serve the API on")
	fs.StringVar(&cfg.HTTP.Socket, "socket", "", "unix socket to serve the API on as well")
	fs.IntVar(&cfg.HTTP.MaxBodyBytes, "max-body", cfg.HTTP.MaxBodyBytes, "largest request body in bytes but a bundle upload's (413 above, unread)")
	fs.IntVar(&cfg.HTTP.MaxBundleBytes, "max-bundle", cfg.HTTP.MaxBundleBytes, "largest bundle in bytes, uploaded or fetched, compressed and uncompressed")
	fs.StringVar(&cfg.Data, "data", "./data", "directory for the bbolt files")
	fs.StringVar(&cfg.Bundle, "bundle", "", "bundle directory or .tar.gz (default: the embedded example bundle)")
	fs.BoolVar(&cfg.Watch, "watch", false, "reload the bundle path when it changes")
	fs.StringVar(&cfg.URL, "bundle-url", "", "poll an OPA-style bundle server at this URL")
	fs.DurationVar(&cfg.Poll, "bundle-poll", 10*time.Second, "how often to poll --bundle-url")
	fs.StringVar(&cfg.VerifKey, "verification-key", "", "require bundles signed for this key (PEM public key, or HMAC secret file)")
	fs.StringVar(&cfg.VerifAlg, "verification-alg", "RS256", "signing algorithm of --verification-key (as opa sign --signing-alg)")
	fs.StringVar(&cfg.Admin, "admin-token", "", "bearer token for admin endpoints (without it they are refused)")
	fs.StringVar(&cfg.HTTP.APIToken, "api-token", "", "bearer token every /v1/ endpoint then requires (or the admin token); /health, /ready, /metrics stay open")
	fs.StringVar(&cfg.Node, "node", "", "this node's name in the cluster")
	fs.StringVar(&cfg.Bind, "cluster-bind", "", "HOST:PORT for cluster gossip")
	fs.StringVar(&cfg.Join, "join", "", "HOST:PORT,... of cluster members to join")
	fs.StringVar(&cfg.Key, "cluster-key", "", "file of gossip encryption keys, base64, one a line, the first primary (reloaded on SIGHUP)")
	fs.StringVar(&cfg.Minter, "cluster-minter", "", "name of the one node that mints limit rights (default: the node started without --join)")
	dl := &cfg.HTTP.DecisionLog
	fs.StringVar(&dl.Destination, "decision-log", "", `log every decision as a JSON line: "-" or "stderr", or a file path (default: off)`)
	fs.Float64Var(&dl.Sample, "decision-log-sample", dl.Sample, "fraction of evaluate decisions logged, 0 to 1 (redeems and rollbacks are always logged)")
	fs.BoolVar(&dl.CustomerIDs, "decision-log-customer-ids", false, "log customer ids in clear (default: a keyed hash)")
	fs.Int64Var(&dl.MaxBytes, "decision-log-max-bytes", dl.MaxBytes, "rotate the decision log file at this size (0: never)")
	fs.IntVar(&dl.MaxFiles, "decision-log-max-files", dl.MaxFiles, "rotated decision log files kept (FILE.1 the newest); older ones are removed")
	fs.StringVar(&dl.Salt, "decision-log-salt", "", "key of the customer id hash, the same on every node to correlate them (default: random per process; prefer PROMOEDGE_DECISION_LOG_SALT)")
	fs.DurationVar(&cfg.Rules.Deadline, "rule-timeout", rego.DefaultDeadline, "longest one evaluation of the Rego rules may run (its campaign is rejected with error past it)")
	fs.Uint64Var(&cfg.Rules.MaxAlloc, "rule-max-alloc", rego.DefaultMaxAlloc, "bytes one evaluation of the Rego rules may allocate (its campaign is rejected with error past it)")
	cfg.Hooks.register(fs)
	config := fs.String("config", "", "YAML file of settings named as these flags (command line and environment win)")
	if err := parseCommandLine(fs, args, stderr); err != nil {
		return cfg, err
	}
	if err := fromEnv(fs, getenv); err != nil {
		return cfg, err
	}
	if *config != "" {
		if err := fromConfigFile(fs, *config, getenv); err != nil {
			return cfg, err
		}
	}
	if err := cfg.validate(fs); err != nil {
		return cfg, err
	}
	var err error
	cfg.Webhooks, err = cfg.Hooks.config()
	return cfg, err
}

// fromEnv sets every flag not given on the command line from
// PROMOEDGE_<NAME> when that is set.
func fromEnv(fs *flag.FlagSet, getenv func(string) string) error {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		if v := getenv(name); v != "" && !given[f.Name] && err == nil {
			if e := fs.Set(f.Name, v); e != nil { // fs.Set: Visit sees it as given
				err = fmt.Errorf("%s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

func (c serveConfig) validate(fs *flag.FlagSet) error {
	dlFlags := ""
	fs.Visit(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, "decision-log-") && dlFlags == "" {
			dlFlags = "--" + f.Name
		}
	})
	dl := c.HTTP.DecisionLog
	switch {
	case dlFlags != "" && dl.Destination == "":
		return fmt.Errorf("%s needs --decision-log: where to write", dlFlags)
	case math.IsNaN(dl.Sample) || dl.Sample < 0 || dl.Sample > 1:
		return fmt.Errorf("--decision-log-sample must be a fraction from 0 to 1, got %v", dl.Sample)
	case (c.Key != "" || c.Minter != "") && !c.clustered():
		return errors.New("--cluster-key and --cluster-minter need a cluster: --node, --cluster-bind or --join")
	case c.Watch && c.Bundle == "":
		return errors.New("--watch needs --bundle: the path to watch")
	case c.URL != "" && c.Bundle != "":
		return errors.New("give --bundle or --bundle-url, not both")
	case c.URL != "" && c.Poll <= 0:
		return errors.New("--bundle-poll must be positive")
	case c.HTTP.MaxBundleBytes <= 0 || c.Rules.Deadline <= 0 || c.Rules.MaxAlloc == 0:
		return errors.New("--max-bundle, --rule-timeout and --rule-max-alloc must be positive")
	}
	return c.HTTP.Validate()
}

func serve(ctx context.Context, cfg serveConfig, stderr io.Writer) error {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	metrics := sidecar.NewMetrics()
	cfg.HTTP.DecisionLog.Stderr = stderr
	verify, err := verificationKey(cfg)
	if err != nil {
		return err
	}
	st, fl, err := openState(cfg, log, metrics)
	if err != nil {
		return err
	}
	defer st.Close()
	defer fl.stop()
	engine := policies.NewEngine(fl.engineConfig())
	act, err := activate(ctx, cfg, engine, verify, log, metrics)
	if err != nil {
		return err
	}
	defer act.Close() // a shadow bundle's worker, before the store closes
	if err := fl.start(ctx); err != nil {
		return err
	}
	hooks, stopHooks, err := startWebhooks(ctx, cfg.Webhooks, st, log, metrics)
	if err != nil {
		return err
	}
	defer stopHooks()
	stopTriggers := runTriggers(ctx, engine, fl.triggerSettle(), log)
	defer stopTriggers()
	cfg.HTTP.AdminToken = cfg.Admin
	deps := fl.deps(engine, act)
	deps.Metrics, deps.Audit, deps.Log = metrics, st, log
	if hooks != nil {
		deps.Webhooks = hooks
	}
	if err := listenAndServe(ctx, cfg.HTTP, deps, log); err != nil {
		return err
	}
	stopTriggers() // no firing after the store closes
	stopHooks()    // what is under way stays pending, sent after the restart
	act.Close()    // a shadow bundle's worker
	fl.stop()      // hands this node's rights to the others first
	if err := st.Close(); err != nil {
		return fmt.Errorf("flushing the store: %w", err)
	}
	log.Info("stopped: every request answered, the store flushed and closed")
	return nil
}

// runTriggers fires the scheduled triggers as they fall due, after
// settle, until the returned stop is called (it waits for a firing in
// progress).
func runTriggers(ctx context.Context, engine *policies.Engine, settle time.Duration, log *slog.Logger) (stop func()) {
	return goUntilStopped(ctx, func(ctx context.Context) {
		select {
		case <-time.After(settle):
		case <-ctx.Done():
			return
		}
		engine.RunTriggers(ctx, func(err error) { log.Error("firing scheduled triggers (retried in a second)", "err", err) })
	})
}

// goUntilStopped runs run on its own goroutine until the returned stop
// cancels its context; stop waits for run to return, and does nothing
// more when called again.
func goUntilStopped(ctx context.Context, run func(ctx context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		run(ctx)
	}()
	return sync.OnceFunc(func() { cancel(); <-done })
}

// verificationKey reads --verification-key, if any.
func verificationKey(cfg serveConfig) (*opabundle.VerificationConfig, error) {
	if cfg.VerifKey == "" {
		return nil, nil
	}
	key, err := os.ReadFile(cfg.VerifKey)
	if err != nil {
		return nil, fmt.Errorf("reading the verification key: %w", err)
	}
	return bundle.VerificationKey(key, cfg.VerifAlg)
}

// openState opens the store in --data and, with --cluster, joins the
// fleet on it; the caller closes the store and stops the fleet.
func openState(cfg serveConfig, log *slog.Logger, metrics *sidecar.Metrics) (*store.Store, *fleet, error) {
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return nil, nil, fmt.Errorf("creating the data directory: %w", err)
	}
	fl, err := newFleet(cfg, log, metrics)
	if err != nil {
		return nil, nil, err
	}
	st, err := store.Open(fl.storeConfig(cfg.Data))
	if err != nil {
		return nil, nil, err
	}
	if err := fl.attach(st); err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, fl, nil
}

// activate makes the bundle activator, with one wasm compilation cache and
// one set of wasm counters for every bundle, and activates the first one.
func activate(ctx context.Context, cfg serveConfig, engine *policies.Engine, verify *opabundle.VerificationConfig, log *slog.Logger, metrics *sidecar.Metrics) (*activation.Activator, error) {
	wasmCfg := wasm.Config{Cache: wasm.NewCache(), Stats: new(wasm.Stats)}
	if err := metrics.ReadWasm(wasmCfg.Stats); err != nil {
		return nil, err
	}
	act := activation.New(activation.Config{
		Dir: filepath.Join(cfg.Data, "bundles"), Verification: verify, Log: log, Observer: metrics, Wasm: wasmCfg,
		MaxTotalBytes: int64(cfg.HTTP.MaxBundleBytes), RuleLimits: cfg.Rules, Endpoints: endpointNames(cfg.Webhooks),
		ShadowSalt: cfg.HTTP.DecisionLog.Salt, // a shadow's samples hash customers as the decision log does
	}, engine)
	return act, firstBundle(ctx, cfg, act, wasmCfg, log)
}

// listenAndServe serves the API until ctx ends, then drains: no new
// connections, the requests in flight finished.
func listenAndServe(ctx context.Context, cfg sidecar.Config, deps sidecar.Deps, log *slog.Logger) error {
	srv, err := sidecar.New(cfg, deps)
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
	go func() {
		<-ctx.Done()
		log.Info("draining: no new connections, finishing the requests in flight")
	}()
	if err := srv.Serve(ctx, lns...); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// firstBundle activates the bundle to start with and starts whatever keeps
// it current:
//   - --bundle-url: the server's bundle, else the last good one kept on
//     disk, else none (/ready answers 503) until the server answers; then
//     it is polled.
//   - --bundle: that path (a bad one stops the start), watched with --watch.
//   - neither: the last bundle uploaded with PUT /v1/bundles, else the
//     embedded example bundle — unless signatures are required, as the
//     example is not signed: then none until an upload.
func firstBundle(ctx context.Context, cfg serveConfig, act *activation.Activator, wasmCfg wasm.Config, log *slog.Logger) error {
	switch {
	case cfg.URL != "":
		p := &activation.Poller{URL: cfg.URL, Every: cfg.Poll, MaxBackoff: 5 * time.Minute}
		first, cancel := context.WithTimeout(ctx, 10*time.Second)
		a, err := act.Fetch(first, p)
		cancel()
		if err != nil {
			log.Warn("no bundle from the bundle server yet", "url", cfg.URL, "err", err)
			if a, err = act.RestoreLastGood(ctx); err != nil {
				log.Warn("no last good bundle on disk: not ready until the server answers", "err", err)
			}
		}
		logActive(log, a)
		go act.Poll(ctx, p)
	case cfg.Bundle != "":
		a, err := act.Path(ctx, cfg.Bundle)
		if err != nil {
			return err
		}
		logActive(log, a)
		if cfg.Watch {
			go act.Watch(ctx, cfg.Bundle, time.Second)
		}
	default:
		a, err := act.RestoreLastGood(ctx)
		if err == nil {
			logActive(log, a)
			return nil
		}
		if cfg.VerifKey != "" {
			log.Warn("signatures are required and no signed bundle is kept: not ready until one is uploaded")
			return nil
		}
		rev, err := bundle.LoadFS(ctx, bundle.Config{Source: "embedded:examples/default", Wasm: wasmCfg, RuleLimits: cfg.Rules}, examples.Default())
		if err != nil {
			return err
		}
		log.Warn(embeddedWarning)
		logActive(log, act.Fallback(rev, embeddedWarning))
	}
	return nil
}

func logActive(log *slog.Logger, a *activation.Activation) {
	if a != nil {
		log.Info("bundle active", "revision", a.Revision, "source", a.Source, "campaigns", a.Campaigns)
	}
}
