# Customers of one country, named by the campaign's metadata.country.
package promo.rules.in_country

default eligible := false

eligible if input.customer.country == input.campaign.metadata.country

reasons contains sprintf("for customers in %s", [input.campaign.metadata.country]) if not eligible
