# VIP customers.
package promo.rules.vip

default eligible := false

eligible if input.customer.tier == "vip"

reasons contains "customer is not VIP" if not eligible
