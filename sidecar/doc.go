// Package sidecar serves the promoedge HTTP API (docs/api.md) over fasthttp, on
// a TCP address and optionally a unix socket. It decodes requests, calls the
// pricing engine and writes JSON; it is the only place that chooses an HTTP
// status for an error. It also serves GET /metrics from a Prometheus
// registry of its own (Metrics: metrics.go for what requests count,
// campaignstats.go for per-campaign counters, collectors.go for what is
// read at scrape time) and reports each decision to the decision log
// (observe.go, package decisionlog).
//
// It speaks only the domain's types (package policies): the store and the
// cluster reach it through the small interfaces it declares (State,
// Switches, Fleet, with its own Member) and the domain's (AuditLog), which
// cmd wires to them. Who may call what is the route table's: admin and
// checkout wrappers (auth.go), admin calls kept in the audit log (audit.go).
//
// # Caveats
//
// A request body larger than Config.MaxBodyBytes is refused with 413 as
// soon as its header is read, before any of it is (limits.go); only a bundle
// upload that carries the admin token may send up to Config.MaxBundleBytes. Every response is JSON, errors included:
// {"error": {"code", "message", "field"}}.
package sidecar
