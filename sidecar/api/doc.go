// Package api holds the JSON wire types of the sidecar's answers: the
// sidecar writes them and its Go client (sidecar/client) reads them, so
// the two cannot drift apart. It holds types only, and imports nothing of
// promoedge but the domain package policies.
//
// A type whose answer is written by the domain itself (the decision, the
// redemption receipt) is not repeated here: it is a policies type.
package api
