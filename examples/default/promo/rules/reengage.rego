# Re-engagement: 20% off orders over $100 for customers inactive more than 3 months.
package promo.rules.reengage

subtotal := sum([p | some it in input.cart.items; p := it.quantity * it.unit_price])

now_ns := time.parse_rfc3339_ns(input.context.now)

cutoff_ns := time.add_date(now_ns, 0, -3, 0)

last_order_ns := time.parse_rfc3339_ns(input.customer.last_order_at)

default eligible := false

eligible if {
	subtotal > 10000
	last_order_ns < cutoff_ns
}

reasons contains "order subtotal must be over $100" if subtotal <= 10000

reasons contains "customer ordered in the last 3 months" if last_order_ns >= cutoff_ns

reasons contains "customer has no previous order" if not input.customer.last_order_at
