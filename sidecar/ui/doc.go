// Package ui is the dashboard the sidecar serves at /ui/ (docs/dashboard.md):
// one page of hand-written HTML, CSS and JavaScript, embedded in the
// binary, that reads the JSON API every few seconds — per-campaign daily
// statistics, experiments, the shadow bundle, the audit log, bundles and
// cluster — runs the marketer's searches (redemptions with CSV export,
// wallets, codes) and drives the kill switch and the shadow's promotion,
// each behind a confirmation dialog.
//
// # Caveats
//
// The page makes no request to any host but the one that served it, and
// the sidecar's Content-Security-Policy holds it to that. The admin token
// typed into it is kept in the tab's sessionStorage only, and sent only as
// the Authorization header of the page's requests to that sidecar.
package ui
