// Package ui is the dashboard the sidecar serves at /ui/: one page of
// hand-written HTML, CSS and JavaScript, embedded in the binary, that
// reads the JSON API (campaigns, activity, bundles, cluster) every few
// seconds and drives the kill switch.
//
// # Caveats
//
// The page makes no request to any host but the one that served it, and
// the sidecar's Content-Security-Policy holds it to that. The admin token
// typed into it is kept in the tab's sessionStorage only, and sent only as
// the Authorization header of a disable or enable request.
package ui
