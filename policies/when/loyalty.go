package when

// loyaltyKeys are the conditions on the customer's loyalty wallet.
var loyaltyKeys = []string{"tier", "balance", "earned"}

// parseLoyalty reads loyalty: {tier, balance, earned}, tested on
// input.wallet, which the engine fills for a signed-in customer when the
// bundle has a loyalty program. Without one every condition fails (and
// holds when negated), as customer conditions do for an anonymous cart.
func parseLoyalty(o *obj, neg bool, _ env) []*node {
	o.known("loyalty condition", loyaltyKeys)
	var out []*node
	if names := readNames(o, "tier"); len(names) > 0 {
		out = append(out, leaf("loyalty_tier", "loyalty tier must be "+orList(names), "loyalty tier must not be "+orList(names),
			neg, oneOf("input.wallet.tier", quoteAll(names))).native(walletTier(stringValues(names))))
	}
	for _, c := range readCompare(o, "balance") {
		out = append(out, leaf("loyalty_balance", "points balance must be "+count(c, "point", "points"),
			"points balance must be "+count(c.flip(), "point", "points"), neg, c.rego("input.wallet.balance")).native(walletCompare("balance", c)))
	}
	for _, c := range readCompare(o, "earned") {
		out = append(out, leaf("loyalty_earned", "points earned must be "+count(c, "point", "points"),
			"points earned must be "+count(c.flip(), "point", "points"), neg, c.rego("input.wallet.earned")).native(walletCompare("earned", c)))
	}
	return out
}
