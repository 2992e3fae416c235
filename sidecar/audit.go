package sidecar

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"strconv"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
)

// accessDeps is where admin actions are kept and told.
type accessDeps struct {
	// audit keeps admin actions; nil keeps none (GET /v1/audit answers 503).
	audit policies.AuditLog
	// log gets a line per admin action; never nil.
	log *slog.Logger
}

// maxAudit bounds the entries one GET /v1/audit answers.
const maxAudit = 10_000

// tokenHash identifies a token in the audit log without revealing it.
func tokenHash(token []byte) string {
	sum := sha256.Sum256(token)
	return hex.EncodeToString(sum[:6])
}

// audited writes the admin call just answered to the audit log and to the
// log. The action has happened whatever becomes of its record, so a
// failure to keep it is logged as an error, not answered.
func (s *Server) audited(ctx *fasthttp.RequestCtx, action string, token []byte, params []string) {
	e := policies.AuditEntry{
		At: time.Now().UTC(), Action: action, Target: s.auditTarget(ctx, action, params),
		Source: ctx.RemoteAddr().String(), Token: tokenHash(token), Status: ctx.Response.StatusCode(),
	}
	attrs := []any{"action", e.Action, "target", e.Target, "source", e.Source, "token", e.Token, "status", e.Status}
	s.log.Info("admin action", attrs...)
	if s.audit == nil {
		return
	}
	if err := s.audit.Record(context.Background(), e); err != nil {
		s.log.Error("admin action not kept in the audit log", append(attrs, "err", err)...)
	}
}

// auditTarget is what action acted on: the path's parameter (campaign,
// code), the revision a bundle upload made active, or the query.
func (s *Server) auditTarget(ctx *fasthttp.RequestCtx, action string, params []string) string {
	switch {
	case len(params) > 0:
		return params[0]
	case action == actionShadowLoad && ctx.Response.StatusCode() == fasthttp.StatusOK && s.bundles != nil:
		if rep, ok := s.bundles.Shadow(); ok {
			return rep.Revision
		}
	case (action == actionBundle || action == actionShadowPromote) && ctx.Response.StatusCode() == fasthttp.StatusOK:
		if rev := s.engine.Revision(); rev != nil {
			return rev.ID
		}
	}
	return string(ctx.QueryArgs().QueryString())
}

// getAudit answers GET /v1/audit?since=&limit= (docs/api.md#audit-log).
func (s *Server) getAudit(ctx *fasthttp.RequestCtx, _ []string) {
	if s.audit == nil {
		fail(ctx, policies.ErrNoStore)
		return
	}
	q, err := auditQuery(ctx.QueryArgs())
	if err != nil {
		fail(ctx, err)
		return
	}
	entries, err := s.audit.Audit(ctx, q)
	if err != nil {
		fail(ctx, err)
		return
	}
	if entries == nil {
		entries = []policies.AuditEntry{}
	}
	writeJSON(ctx, fasthttp.StatusOK, map[string]any{"entries": entries})
}

func auditQuery(args *fasthttp.Args) (policies.AuditQuery, error) {
	q := policies.AuditQuery{Limit: 1000}
	if since := args.Peek("since"); len(since) > 0 {
		t, err := time.Parse(time.RFC3339Nano, string(since))
		if err != nil {
			return q, badQuery("since", "must be an RFC 3339 time")
		}
		q.Since = t
	}
	if limit := args.Peek("limit"); len(limit) > 0 {
		n, err := strconv.Atoi(string(limit))
		if err != nil || n < 1 || n > maxAudit {
			return q, badQuery("limit", "must be a number from 1 to "+strconv.Itoa(maxAudit))
		}
		q.Limit = n
	}
	return q, nil
}

func badQuery(field, msg string) error {
	return &policies.RequestError{Problems: []*policies.FieldError{{Field: field, Message: msg}}}
}

// The actions of the audit log, one per admin endpoint.
const (
	actionBundle       = "bundle.activate"
	actionDisable      = "campaign.disable"
	actionEnable       = "campaign.enable"
	actionCodes        = "codes.generate"
	actionKeys         = "cluster.reload_keys"
	actionLedger       = "ledger.export"
	actionCode         = "code.lookup"
	actionWalletAdjust = "wallet.adjust"
	// Shadow bundles (shadow.go).
	actionShadowLoad    = "bundle.shadow"
	actionShadowDrop    = "bundle.shadow_drop"
	actionShadowPromote = "bundle.shadow_promote"
	actionEvent         = "event.lookup"
	// unaudited: reading the audit log itself is not recorded in it.
	unaudited = ""
)

func newAccessDeps(deps Deps) accessDeps {
	a := accessDeps{audit: deps.Audit, log: deps.Log}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	return a
}
