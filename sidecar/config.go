package sidecar

import (
	"errors"
	"time"

	"github.com/promoedge/promoedge/sidecar/decisionlog"
)

// Config is the HTTP side of the sidecar.
type Config struct {
	// Listen is the TCP address to serve on; "" serves no TCP.
	Listen string
	// Socket is a unix socket path to serve on as well; "" for none.
	Socket string
	// MaxBodyBytes bounds every request body but a bundle upload's; a
	// larger one gets 413 as soon as its header is read, before any of the
	// body is.
	MaxBodyBytes int
	// MaxBundleBytes bounds an uploaded bundle (PUT /v1/bundles), and is
	// allowed only once the admin token is checked: an upload without it
	// is held to MaxBodyBytes and answered 401.
	MaxBundleBytes int
	// ReadTimeout and WriteTimeout bound one request on a connection.
	ReadTimeout, WriteTimeout time.Duration
	// StreamWriteTimeout bounds writing an admin's streamed answer
	// (generated codes, the ledger's export, a backup, a wallet's history)
	// instead of WriteTimeout; 0 is WriteTimeout.
	StreamWriteTimeout time.Duration
	// IdleTimeout closes keep-alive connections idle this long.
	IdleTimeout time.Duration
	// AdminToken is the bearer token admin endpoints require; "" refuses
	// them all.
	AdminToken string
	// APIToken, when set, is required (or the admin token) by every /v1/
	// endpoint; /health, /ready, /metrics and /ui stay open.
	APIToken string
	// DecisionLog logs each decision as a JSON line (off by default); the
	// server opens it in New and closes it when Serve returns.
	DecisionLog decisionlog.Config
	// StatsInterval is how often the campaign statistics counted in
	// memory are flushed to the store (docs/experiments.md); 0 is a second.
	StatsInterval time.Duration
}

// DefaultConfig serves localhost only: a sidecar answers its own pod.
func DefaultConfig() Config {
	return Config{
		Listen:         "127.0.0.1:8181",
		MaxBodyBytes:   1 << 20,
		MaxBundleBytes: 64 << 20,
		ReadTimeout:    10 * time.Second,
		WriteTimeout:   10 * time.Second,
		IdleTimeout:    2 * time.Minute,
		// A million codes, or a large ledger, over a slow link.
		StreamWriteTimeout: 30 * time.Minute,
		DecisionLog:        decisionlog.DefaultConfig(),
		StatsInterval:      time.Second,
	}
}

// Validate reports a configuration that cannot serve.
func (c Config) Validate() error {
	if c.Listen == "" && c.Socket == "" {
		return errors.New("sidecar: nothing to listen on: set a listen address or a socket")
	}
	if c.MaxBodyBytes <= 0 || c.MaxBundleBytes < 0 {
		return errors.New("sidecar: max body bytes must be positive (and max bundle bytes not negative)")
	}
	if c.StatsInterval < 0 {
		return errors.New("sidecar: the statistics flush interval must be positive (0: a second)")
	}
	if c.APIToken != "" && c.APIToken == c.AdminToken {
		return errors.New("sidecar: the API token must differ from the admin token: the checkout would be an operator")
	}
	return c.DecisionLog.Validate()
}
