// Package pricetest runs a bundle's price tests — `promoctl test`, like
// `opa test` but for prices. A test file (*_test.yaml anywhere in the
// bundle directory; OPA's bundle reader ignores it) lists requests and
// what the real engine must answer:
//
//	defaults:                       # merged into every case (a case's own keys win)
//	  context: {now: "2026-11-24T12:00:00Z", channel: web}
//	cases:
//	  - name: premium customer over $250
//	    cart: {currency: USD, items: [{id: l1, sku: TV, quantity: 1, unit_price: 25001}]}
//	    customer: {id: u1, tier: premium}
//	    want:
//	      discount: 3000            # amounts given are compared exactly
//	      total: 22001
//	      applied: {premium-30: 3000}   # these campaigns applied, their effects summing to these amounts
//	      not_applied: [reengage-20]
//	      rejected:                 # these campaigns were rejected
//	        reengage-20: rule
//	        anniversary-50: {reason: rule, details: ["..."]}
//	      points: {loyalty-points: 220}
//
// Every failure names the file and line of its case.
//
// applied, rejected, points and free_items may also be lists: the whole of
// that part of the decision, in order (applied: [{campaign, code, effect,
// amount, reduced_from, lines}], lines compared only when given). A case
// may give usage: {campaign: {redemptions, customer, spent}}, what the
// campaigns' limits have used. A file with exhaustive: true leaves nothing
// unchecked (see File.Exhaustive), and a file that stands alone may carry
// its bundle (see Bundle): that is how the engine's own pricing cases,
// policies/testdata/cases, are written and run.
//
// # Caveats
//
// context.now is required (in the case or its defaults): a test that
// prices on the wall clock would pass today and fail next month.
package pricetest
