# 1-year anniversary: 50% off (capped by the campaign at $500) in the 7 days
# that start on the first anniversary of the customer's sign-up.
package promo.rules.anniversary

week_ns := 7 * 24 * 3600 * 1000000000

now_ns := time.parse_rfc3339_ns(input.context.now)

anniversary_ns := time.add_date(time.parse_rfc3339_ns(input.customer.created_at), 1, 0, 0)

default eligible := false

eligible if {
	now_ns >= anniversary_ns
	now_ns < anniversary_ns + week_ns
}

reasons contains "not in the week of the customer's first anniversary" if not eligible
