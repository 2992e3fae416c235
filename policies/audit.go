package policies

import (
	"context"
	"time"
)

// AuditEntry is one admin action: who did what, to what, when, and how it
// ended. Token identifies the caller by a short hash of the token they
// presented, never the token itself.
type AuditEntry struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`           // e.g. bundle.activate, campaign.disable
	Target string    `json:"target,omitempty"` // the campaign, code, revision or query acted on
	Source string    `json:"source"`           // where the call came from (the peer address)
	Token  string    `json:"token"`            // short hash of the caller's token
	Status int       `json:"status"`           // the HTTP status answered
}

// AuditQuery selects entries of the audit log.
type AuditQuery struct {
	Since time.Time // at or after; zero for all
	Limit int       // at most this many, the latest; 0 for all
}

// AuditLog keeps admin actions durably. The bbolt store implements it.
type AuditLog interface {
	// Record keeps e; it returns once e is on disk.
	Record(ctx context.Context, e AuditEntry) error
	// Audit returns the entries q selects, oldest first.
	Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error)
}
