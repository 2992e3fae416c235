# Birthday week: from 3 days before to 3 days after the customer's birthday,
# by the calendar of the customer's own time zone (UTC when not given).
package promo.rules.birthday

day_ns := 24 * 3600 * 1000000000

tz := object.get(input.customer, "timezone", "UTC")

# Today's date where the customer is, as a UTC midnight.
today_ns := time.parse_ns("2006-01-02", sprintf("%04d-%02d-%02d", time.date([time.parse_rfc3339_ns(input.context.now), tz])))

birth := time.date(time.parse_ns("2006-01-02", input.customer.birthday))

# The birthday in last, this and next year (a 29 February birthday has none
# in a common year).
birthdays contains ns if {
	some dy in [-1, 0, 1]
	year := time.date(today_ns)[0] + dy
	ns := time.parse_ns("2006-01-02", sprintf("%04d-%02d-%02d", [year, birth[1], birth[2]]))
}

default eligible := false

eligible if {
	some b in birthdays
	abs(b - today_ns) <= 3 * day_ns
}

reasons contains "not the customer's birthday week" if not eligible
