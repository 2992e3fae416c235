# The "volume" rule of examples/wasm in Rego: 5% off the cart for every
# unit past the second, up to 25%, for carts of at least 3 units. The
# benchmarks run it as Rego, as OPA-wasm and against its Go and C forms.
package promo.rules.volume

units := sum([it.quantity | some it in input.cart.items])

default eligible := false

eligible if units >= 3

reasons contains "needs at least 3 units in the cart" if not eligible

effects := [{"type": "percent_off", "percent": min([5 * (units - 2), 25]), "scope": "cart"}] if eligible
