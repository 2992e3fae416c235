// Package policies prices a cart: it owns the vocabulary of promotions
// (Request, Cart, Campaign, Effect, Decision, Reason), the evaluation pipeline
// that turns a request into a Decision, and the small interfaces it consumes
// from the technologies around it: Rules (implemented by the Rego and wasm
// evaluators); Usage, Committer, Ledger, CodeBook and Codes (implemented by
// the redemption store, Usage and Committer also by the cluster); Switches
// (the kill switch: the store's for a lone sidecar, the cluster's for a
// fleet); Holder (the store's reservations: a reservation is a Redemption
// committed in the held state, reservation.go). The records those speak of
// are its vocabulary too: Redemption, LedgerQuery, Code and CodeSpec, Credit.
//
// An Engine holds one immutable Revision (the campaigns of the active bundle,
// indexed, and the rules that decide them) behind an atomic pointer, so a
// bundle swap never stalls or mixes with a request in flight.
//
// # Caveats
//
// Money is integer minor units everywhere (see package money). A request's
// unknown fields are kept in Request.Input for the rules to read but are
// never trusted for pricing.
package policies
