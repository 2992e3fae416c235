# $30 off carts over $250 for premium customers.
package promo.rules.premium_30

subtotal := sum([p | some it in input.cart.items; p := it.quantity * it.unit_price])

default eligible := false

eligible if {
	input.customer.tier == "premium"
	subtotal > 25000
}

reasons contains "customer is not premium" if input.customer.tier != "premium"

reasons contains "customer is not premium" if not input.customer.tier

reasons contains "cart subtotal must be over $250" if subtotal <= 25000
