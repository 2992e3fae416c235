// Package when compiles a campaign's `when:` block — structured conditions
// a marketer reads and writes — into a Rego module that follows the rule
// contract: package promo.rules.<rule>, `eligible` (default false) and
// `reasons`, one plain sentence for each condition that failed.
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
// # Caveats
//
// `not`, `any` and `all` are rewritten with De Morgan's laws so that only
// single conditions are ever negated; a negated condition holds when the
// data it reads is missing (not "last order over 90 days ago" holds for a
// customer who never ordered). Days since an event count whole 24-hour
// periods; days and hours read the clock of a named zone, the customer's
// (`timezone: customer`) or the campaign's, UTC by default.
package when
