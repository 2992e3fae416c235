// Package webhook delivers the store's outbox of notices (SPEC §13) to
// the configured HTTP endpoints, at least once, in the Standard Webhooks
// format: a POST of {"id","type","at","data"} with the headers
// webhook-id (the notice's id, the same on every attempt),
// webhook-timestamp (of this attempt) and, with a secret, webhook-signature
// "v1,<base64 HMAC-SHA256 of id.timestamp.body>".
//
// It reads what to deliver through policies.Outbox (the bbolt store
// implements it) and writes each outcome back in batches: a delivered
// notice leaves the endpoint's queue, a failed attempt is retried with
// exponential backoff (the first retry within Config.FirstRetry) until
// Config.RetryFor after the notice was committed, then counted failed.
//
// # Caveats
//
//   - At least once, not exactly once: a notice delivered just before a
//     crash, whose outcome was not yet written, is sent again after the
//     restart with the same webhook-id; receivers deduplicate on it.
//   - Order is not kept: Config.InFlight deliveries run at once and a
//     failed one is retried later while newer ones go ahead.
//   - Redirects are not followed (a 3xx is a failed attempt): a signed
//     body must not be replayed to a host the operator did not name.
//   - Each endpoint's queue is bounded in the store (Config.MaxPending):
//     an endpoint down for long under load loses its oldest notices,
//     counted failed and dropped, rather than block or grow the file.
package webhook
