# New customers in the Berlin store get 50% off a leather case when an
# iPhone X 64GB is in the cart.
package promo.rules.berlin_case

new_customer if not input.customer.orders_count

new_customer if input.customer.orders_count == 0

has_iphone if {
	some it in input.cart.items
	it.sku == "IPHONE-X-64GB"
}

default eligible := false

eligible if {
	input.context.store_id == "berlin-1"
	new_customer
	has_iphone
}

reasons contains "only in the Berlin store" if input.context.store_id != "berlin-1"

reasons contains "only in the Berlin store" if not input.context.store_id

reasons contains "only for new customers" if not new_customer

reasons contains "needs an iPhone X 64GB in the cart" if not has_iphone
