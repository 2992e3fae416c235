# A "sorry" voucher: only customers in the segment "complained" may use it.
package promo.rules.sorry

default eligible := false

eligible if "complained" in input.customer.segments

reasons contains "voucher is for customers who complained" if not eligible
