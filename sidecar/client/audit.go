package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// AuditEntry is one admin action of the sidecar's audit log: who (a short
// hash of their token), what, to what, when, and the status answered.
type AuditEntry = policies.AuditEntry

// Audit is the sidecar's audit log (admin), oldest first: at most limit
// entries (the latest; 0 for the sidecar's default of 1000) at or after
// since (zero for all).
func (c *Client) Audit(ctx context.Context, since time.Time, limit int) ([]AuditEntry, error) {
	q := url.Values{}
	if !since.IsZero() {
		q.Set("since", since.Format(time.RFC3339Nano))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	path := "/v1/audit"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var out struct {
		Entries []AuditEntry `json:"entries"`
	}
	if err := c.call(ctx, http.MethodGet, path, nil, &out); err != nil {
		return nil, err
	}
	return out.Entries, nil
}
