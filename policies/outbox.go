package policies

import (
	"context"
	"time"
)

// Outbox is the durable queue of notices the webhook worker delivers:
// each endpoint has its own pending notices, written in the commit of the
// change they report; the bbolt store implements it.
type Outbox interface {
	// Configure names the endpoints that receive notices from now on
	// (notices committed while an endpoint was not configured are not
	// queued for it) and each one's bound on pending notices.
	Configure(ctx context.Context, endpoints []string, maxPending int) error
	// Pending returns up to n of endpoint's pending notices with a
	// sequence above after, oldest first.
	Pending(ctx context.Context, endpoint string, after uint64, n int) ([]Delivery, error)
	// Settle records outcomes in one transaction: a delivered or failed
	// notice leaves the endpoint's queue (settling one no longer pending,
	// e.g. dropped by the bound, counts nothing); a retried one records
	// its error only.
	Settle(ctx context.Context, outcomes []Outcome) error
	// Webhooks is each configured endpoint's counters.
	Webhooks(ctx context.Context) ([]WebhookStatus, error)
	// Noticed is signalled (without blocking) after a commit that queued
	// notices, so a worker need not poll often.
	Noticed() <-chan struct{}
}

// Delivery is one notice pending for one endpoint.
type Delivery struct {
	Endpoint string
	Seq      uint64 // its place in the outbox, the order of commits
	Notice   Notice
}

// Outcome is what one delivery attempt came to.
type Outcome struct {
	Endpoint string
	Seq      uint64
	State    OutcomeState
	At       time.Time
	Error    string // of a failed attempt
}

// OutcomeState is where a delivery stands after an attempt.
type OutcomeState byte

// Outcome states.
const (
	Delivered OutcomeState = iota + 1 // a 2xx: done
	Retrying                          // failed; it stays pending
	GaveUp                            // failed past the retry window: done, failed
)

// WebhookStatus is one endpoint's counters, as GET /v1/webhooks shows them.
type WebhookStatus struct {
	Endpoint      string     `json:"endpoint"`
	URL           string     `json:"url"`
	Delivered     int64      `json:"delivered"`
	Pending       int64      `json:"pending"`
	Failed        int64      `json:"failed"`
	Dropped       int64      `json:"dropped"` // failed because the queue was full (part of failed)
	LastError     string     `json:"last_error"`
	LastErrorAt   *time.Time `json:"last_error_at"`
	LastSuccessAt *time.Time `json:"last_success_at"`
}
