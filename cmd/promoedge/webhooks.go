package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/promoedge/promoedge/internal/suggest"
	"github.com/promoedge/promoedge/policies/store"
	"github.com/promoedge/promoedge/policies/webhook"
	"github.com/promoedge/promoedge/sidecar"
)

// pairs is a repeatable NAME=VALUE flag; one value may hold several,
// comma-separated (the environment and the config file's lists).
type pairs struct {
	names  []string
	values map[string]string
}

func (p *pairs) String() string {
	if p == nil {
		return ""
	}
	parts := make([]string, len(p.names))
	for i, n := range p.names {
		parts[i] = n + "=" + p.values[n]
	}
	return strings.Join(parts, ",")
}

func (p *pairs) Set(v string) error {
	for _, one := range strings.Split(v, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(one), "=")
		switch {
		case !ok || name == "" || value == "":
			return fmt.Errorf("want NAME=VALUE, got %q", one)
		case p.values[name] != "":
			return fmt.Errorf("%q is given twice", name)
		}
		if p.values == nil {
			p.values = map[string]string{}
		}
		p.names, p.values[name] = append(p.names, name), value
	}
	return nil
}

// webhookFlags are serve's webhook settings.
type webhookFlags struct {
	endpoints, secrets pairs
	cfg                webhook.Config
}

func (w *webhookFlags) register(fs *flag.FlagSet) {
	w.cfg = webhook.DefaultConfig()
	fs.Var(&w.endpoints, "webhook", "NAME=URL: an endpoint every notice (SPEC §13) is POSTed to; repeat for more")
	fs.Var(&w.secrets, "webhook-secret-file", "NAME=FILE: the endpoint's signing secret, whsec_ and base64, read from FILE")
	fs.DurationVar(&w.cfg.Timeout, "webhook-timeout", w.cfg.Timeout, "longest one delivery attempt may take")
	fs.IntVar(&w.cfg.InFlight, "webhook-in-flight", w.cfg.InFlight, "deliveries under way at once, across endpoints")
	fs.IntVar(&w.cfg.MaxPending, "webhook-max-pending", w.cfg.MaxPending, "notices kept per endpoint; past it the oldest is dropped and counted failed (0: no bound)")
}

// config is the worker's configuration, the secrets read: an unknown
// endpoint named by a secret, an unreadable or malformed secret, or a URL
// that is not http(s) stops the start.
func (w *webhookFlags) config() (webhook.Config, error) {
	cfg := w.cfg
	cfg.Endpoints = nil
	for _, name := range w.secrets.names {
		if _, ok := w.endpoints.values[name]; !ok {
			return cfg, fmt.Errorf("--webhook-secret-file %s=...: no --webhook names %q%s", name, name, suggest.DidYouMean(name, w.endpoints.names))
		}
	}
	for _, name := range w.endpoints.names {
		e := webhook.Endpoint{Name: name, URL: w.endpoints.values[name]}
		if file := w.secrets.values[name]; file != "" {
			raw, err := os.ReadFile(file)
			if err != nil {
				return cfg, fmt.Errorf("--webhook-secret-file %s: %w", name, err)
			}
			if e.Secret, err = webhook.ParseSecret(raw); err != nil {
				return cfg, fmt.Errorf("--webhook-secret-file %s=%s: %w", name, file, err)
			}
		}
		cfg.Endpoints = append(cfg.Endpoints, e)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("--webhook: %s", strings.TrimPrefix(err.Error(), "webhook: "))
	}
	return cfg, nil
}

// endpointNames are the configured endpoints a bundle's triggers may
// name; nil without any, when a trigger's webhook action is not checked
// (there is nowhere to deliver, and no notice is written).
func endpointNames(cfg webhook.Config) map[string]bool {
	if len(cfg.Endpoints) == 0 {
		return nil
	}
	names := make(map[string]bool, len(cfg.Endpoints))
	for _, e := range cfg.Endpoints {
		names[e.Name] = true
	}
	return names
}

// retryNote is said at the start when endpoints are configured.
func retryNote(cfg webhook.Config) string {
	return fmt.Sprintf("webhooks: %d endpoint(s), %d in flight, %s per attempt, retried for %s", len(cfg.Endpoints), cfg.InFlight, cfg.Timeout, cfg.RetryFor.Round(time.Hour))
}

// startWebhooks configures the store's outbox for cfg's endpoints (none:
// changes queue no notices) and starts the delivery worker; stop ends it
// and waits. The worker is nil without endpoints.
func startWebhooks(ctx context.Context, cfg webhook.Config, st *store.Store, log *slog.Logger, metrics *sidecar.Metrics) (*webhook.Worker, func(), error) {
	if len(cfg.Endpoints) == 0 {
		return nil, func() {}, st.Configure(ctx, nil, 0)
	}
	w, err := webhook.New(cfg, st, log)
	if err != nil {
		return nil, nil, err
	}
	if err := w.Configure(ctx); err != nil {
		return nil, nil, fmt.Errorf("webhooks: %w", err)
	}
	if err := metrics.ReadWebhooks(w); err != nil {
		return nil, nil, err
	}
	log.Info(retryNote(cfg))
	return w, goUntilStopped(ctx, func(ctx context.Context) { w.Run(ctx) }), nil
}
