package sidecar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/activation"
	"github.com/promoedge/promoedge/policies/stats"
	"github.com/promoedge/promoedge/sidecar/activity"
	"github.com/promoedge/promoedge/sidecar/decisionlog"
)

// Server is the sidecar's HTTP API.
type Server struct {
	cfg     Config
	engine  *policies.Engine
	state   State
	bundles Bundles
	http    *fasthttp.Server
	metrics *Metrics
	// decisions is the decision log; nil logs nothing.
	decisions *decisionlog.Log
	routes    []route
	// activity counts decisions per minute for GET /v1/activity.
	activity *activity.Recorder
	probe    writeProbe // the last write probe of /ready (readiness.go)
	webhooks Webhooks   // nil: no endpoint configured
	// stats keeps the campaign statistics (stats.go); nil keeps none.
	stats     stats.Keeper
	forwarder Forwarder // Deps.Reservations
	fleetDeps
	accessDeps
}

// State is what the API reads and writes beside pricing: usage, the
// ledger and generated codes. The bbolt store implements it.
type State interface {
	policies.Usage
	policies.Ledger
	policies.CodeBook
}

// Bundles activates new policy bundles and reports on them. The
// activation package implements it.
type Bundles interface {
	Tarball(ctx context.Context, source string, data []byte) (*activation.Activation, error)
	Status() activation.Status
	// The shadow bundle (shadow.go): load, offer each evaluate answer,
	// report, drop, promote.
	LoadShadow(ctx context.Context, source string, data []byte) (activation.ShadowReport, error)
	Offer(req *policies.Request, live *policies.Decision)
	Shadow() (activation.ShadowReport, bool)
	DropShadow() (activation.ShadowReport, error)
	PromoteShadow() (*activation.Activation, error)
}

var _ Bundles = (*activation.Activator)(nil)

// Deps are what the API serves: the pricing engine, and optionally the
// state (nil serves pricing only) and the bundle activator (nil refuses
// bundle uploads).
type Deps struct {
	Engine  *policies.Engine
	State   State
	Bundles Bundles
	// Switches is the kill switch (nil refuses disable/enable); Fleet the
	// cluster (nil: a lone sidecar).
	Switches Switches
	Fleet    Fleet
	// Metrics are shown at GET /metrics; nil makes new ones. Pass the
	// ones the cluster and the activator report to.
	Metrics *Metrics
	// Audit keeps every admin action (nil: only logged); Log gets a line
	// for each (nil: none).
	Audit policies.AuditLog
	Log   *slog.Logger
	// Reservations carries requests for reservations made on another node
	// of a fleet to it (nil: a lone sidecar; reservations.go).
	Reservations Forwarder
	// Webhooks shows the endpoints' deliveries (nil: none configured).
	Webhooks Webhooks
	// Stats keeps the campaign statistics (nil: none kept, and
	// /v1/stats and /v1/experiments answer 503).
	Stats stats.Keeper
}

// New returns a server over deps; it serves nothing until Serve.
func New(cfg Config, deps Deps) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, engine: deps.Engine, state: deps.State, bundles: deps.Bundles, metrics: deps.Metrics}
	s.switches, s.fleet, s.webhooks, s.stats, s.forwarder = deps.Switches, deps.Fleet, deps.Webhooks, deps.Stats, deps.Reservations
	s.accessDeps = newAccessDeps(deps)
	s.activity = activity.New(activity.Config{})
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	if err := s.metrics.reg.Register(serverCollector{s}); err != nil {
		return nil, fmt.Errorf("sidecar: metrics already serve another server: %w", err)
	}
	dl := cfg.DecisionLog
	dl.Dropped = s.metrics.DecisionDropped
	var err error
	if s.decisions, err = decisionlog.Open(dl); err != nil {
		return nil, err
	}
	s.routes = s.routeTable()
	if s.forwarder != nil {
		s.forwarder.Handle(s.ServeReservation)
	}
	s.http = &fasthttp.Server{
		Handler:               s.Handle,
		ErrorHandler:          s.transportError,
		HeaderReceived:        s.bodyLimit, // bodies are bounded before they are read
		Name:                  "promoedge",
		MaxRequestBodySize:    cfg.MaxBodyBytes,
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		NoDefaultServerHeader: true,
		NoDefaultDate:         true,
		CloseOnShutdown:       true,
	}
	return s, nil
}

// Listen opens the configured TCP address and unix socket.
func (s *Server) Listen() ([]net.Listener, error) {
	var lns []net.Listener
	if s.cfg.Listen != "" {
		ln, err := net.Listen("tcp", s.cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("listening on %s: %w", s.cfg.Listen, err)
		}
		lns = append(lns, ln)
	}
	if s.cfg.Socket != "" {
		if err := os.Remove(s.cfg.Socket); err != nil && !errors.Is(err, os.ErrNotExist) {
			closeAll(lns)
			return nil, fmt.Errorf("removing stale socket: %w", err)
		}
		ln, err := net.Listen("unix", s.cfg.Socket)
		if err != nil {
			closeAll(lns)
			return nil, fmt.Errorf("listening on %s: %w", s.cfg.Socket, err)
		}
		lns = append(lns, ln)
	}
	return lns, nil
}

func closeAll(lns []net.Listener) {
	for _, ln := range lns {
		ln.Close()
	}
}

// Serve answers on every listener until ctx ends, then shuts down
// gracefully: requests in flight finish, and the decision log is flushed
// and closed.
func (s *Server) Serve(ctx context.Context, lns ...net.Listener) error {
	errc := make(chan error, len(lns))
	for _, ln := range lns {
		go func() { errc <- s.http.Serve(ln) }()
	}
	statsCtx, stopStats := context.WithCancel(ctx)
	statsDone := make(chan struct{})
	go s.statsLoop(statsCtx, statsDone)
	select {
	case err := <-errc:
		s.http.Shutdown()
		stopStats()
		<-statsDone // the last counts flushed
		return errors.Join(fmt.Errorf("serving: %w", err), s.decisions.Close())
	case <-ctx.Done():
		err := s.http.Shutdown()
		stopStats()
		<-statsDone
		return errors.Join(err, s.decisions.Close())
	}
}

// Handle routes one request; it is the fasthttp handler.
func (s *Server) Handle(ctx *fasthttp.RequestCtx) {
	start := time.Now()
	path := string(ctx.Path())
	method := string(ctx.Method())
	for i := range s.routes {
		r := &s.routes[i]
		params, ok := r.match(path)
		if !ok {
			continue
		}
		h, ok := r.methods[method]
		if !ok {
			writeError(ctx, fasthttp.StatusMethodNotAllowed, errorBody{Code: codeMethod, Message: method + " is not allowed on " + path})
			s.metrics.request(r.name, "other", ctx.Response.StatusCode(), start)
			return
		}
		h(ctx, params)
		s.metrics.request(r.name, method, ctx.Response.StatusCode(), start)
		return
	}
	writeError(ctx, fasthttp.StatusNotFound, errorBody{Code: codeNotFound, Message: "no such endpoint: " + path})
	s.metrics.request("unknown", "other", fasthttp.StatusNotFound, start)
}

// route is one path pattern; segments written {name} capture one segment.
type route struct {
	name    string
	parts   []string
	methods map[string]func(*fasthttp.RequestCtx, []string)
}

func newRoute(pattern string, methods map[string]func(*fasthttp.RequestCtx, []string)) route {
	return route{name: pattern, parts: strings.Split(strings.Trim(pattern, "/"), "/"), methods: methods}
}

func (r *route) match(path string) ([]string, bool) {
	var params []string
	rest := strings.Trim(path, "/")
	for i, p := range r.parts {
		seg, tail, more := strings.Cut(rest, "/")
		if seg == "" && p != "" {
			return nil, false
		}
		if strings.HasPrefix(p, "{") {
			params = append(params, seg)
		} else if seg != p {
			return nil, false
		}
		if !more {
			return params, i == len(r.parts)-1
		}
		rest = tail
	}
	return nil, false
}
