# Free shipping by loyalty tier: the campaign's metadata names the tier and,
# optionally, the subtotal the cart must be over (minor units).
package promo.rules.free_shipping_tier

subtotal := sum([p | some it in input.cart.items; p := it.quantity * it.unit_price])

tier_matches if input.customer.tier == input.campaign.metadata.tier

default eligible := false

eligible if {
	tier_matches
	not input.campaign.metadata.over
}

eligible if {
	tier_matches
	subtotal > input.campaign.metadata.over
}

reasons contains sprintf("for %s customers", [input.campaign.metadata.tier]) if not tier_matches

reasons contains sprintf("subtotal must be over %d", [input.campaign.metadata.over]) if {
	tier_matches
	subtotal <= input.campaign.metadata.over
}
