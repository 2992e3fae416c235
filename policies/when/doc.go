// Package when compiles a campaign's `when:` block — structured conditions
// a marketer reads and writes — two ways from one parse: into a Rego module
// that follows the rule contract (Compile: package promo.rules.<rule>,
// `eligible` (default false) and `reasons`, one plain sentence for each
// condition that failed), the block's portable form for `promoctl build`,
// `opa build -t wasm` and OPA itself; and into a native program (Prepare)
// that the Evaluator decides requests with, answering exactly as OPA does
// on that module.
//
// A block is a mapping whose conditions must all hold:
//
//	when:
//	  cart: {subtotal: {over: 10000}}          # minor units
//	  customer: {tier: [vip, premium], days_since_last_order: {over: 90}}
//	  items: {categories: [socks], quantity: {at_least: 2}}
//	  channel: web
//	  days: weekend
//	  hours: {from: "18:00", until: "22:00"}
//	  timezone: Europe/Dublin                  # of days and hours
//	  any: [{customer: {tier: vip}}, {cart: {subtotal: {over: 5000}}}]
//	  not: {customer: {segments: [staff]}}
//	  reason: shown instead of the generated reasons when the block fails
//
// docs/campaigns.md#the-when-block is the vocabulary's user
// documentation; Compile reports every problem of a block at once, each at
// the path of its field, with the intended name suggested for a typo.
//
// Each condition (a leaf of the parsed block) carries both its Rego body
// and its Go test, written side by side in conditions.go and time.go. The
// Evaluator numbers the leaves of a bundle so that leaves alike (the same
// segment, threshold or filter in many campaigns) are tested once a
// request, and works out only what a request needs: the reasons of a
// campaign only when it fails, from sentences made at bundle load.
//
// # Caveats
//
// `not`, `any` and `all` are rewritten with De Morgan's laws so that only
// single conditions are ever negated; a negated condition holds when the
// data it reads is missing (not "last order over 90 days ago" holds for a
// customer who never ordered). Days since an event count whole 24-hour
// periods; days and hours read the clock of a named zone, the customer's
// (`timezone: customer`) or the campaign's, UTC by default.
//
// Native and Rego answers are the same, decision and reasons; the
// differential test (native_test.go) and FuzzNative hold them to it. The
// one difference is the wording of a rule error: a request field the
// generated Rego's builtins refuse (a null or empty customer.last_order_at,
// a time out of OPA's range of years 1678–2262, a null customer.timezone)
// fails the campaign with "error" either way, and the native evaluator says
// which field in its own words (risk.go).
package when
