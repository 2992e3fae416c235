# Customers who are signed in.
package promo.rules.identified

default eligible := false

eligible if input.customer.id != ""

reasons contains "anonymous cart" if not eligible
