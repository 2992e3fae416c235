package when

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// leaf makes a single condition; neg asks for it not to hold.
func leaf(kind, text, negText string, neg bool, body string, uses ...string) *node {
	return &node{kind: kind, text: text, negText: negText, neg: neg, bodies: [][]string{{body}}, uses: uses}
}

var cartKeys = []string{"subtotal", "items"}

// parseCart reads cart: {subtotal, items}: amounts before any discount.
func parseCart(o *obj, neg bool, e env) []*node {
	o.known("cart condition", cartKeys)
	var out []*node
	cur := e.camp.Currency
	for _, c := range readCompare(o, "subtotal") {
		out = append(out, leaf("cart_subtotal",
			"cart subtotal must be "+amountWords.say(c, money(c.n, cur)),
			"cart subtotal must be "+amountWords.say(c.flip(), money(c.n, cur)),
			neg, c.rego("subtotal"), "subtotal").native(func(f *facts) bool { return c.holdsInt(f.subtotal) }))
	}
	for _, c := range readCompare(o, "items") {
		out = append(out, leaf("cart_items",
			"cart must have "+count(c, "item", "items"),
			"cart must have "+count(c.flip(), "item", "items"),
			neg, c.rego("units"), "units").native(func(f *facts) bool { return c.holdsInt(f.units) }))
	}
	return out
}

var itemKeys = []string{"skus", "categories", "attributes", "min_unit_price", "quantity", "subtotal"}

// parseItems reads one entry of items: the cart has items matching a
// filter (as effects filter lines), in a quantity or for an amount.
func parseItems(o *obj, neg bool, e env) []*node {
	o.known("item condition", itemKeys)
	var match, words []string
	filt := &filter{}
	if skus := readNames(o, "skus"); len(skus) > 0 {
		filt.skus = stringValues(skus)
		match = append(match, oneOf("it.sku", quoteAll(skus)))
		words = append(words, "with SKU "+orList(skus))
	}
	cats := readNames(o, "categories")
	filt.cats = stringValues(cats)
	if len(cats) == 1 {
		match = append(match, quote(cats[0])+" in it.categories")
		words = append(words, "in category "+cats[0])
	} else if len(cats) > 1 {
		match = append(match, "some category in it.categories", oneOf("category", quoteAll(cats)))
		words = append(words, "in category "+orList(cats))
	}
	for _, a := range readAttributes(o, "attributes", "it.attributes") {
		match, words = append(match, a.test), append(words, "with "+a.key+" "+orList(a.values))
		filt.attrs = append(filt.attrs, a)
	}
	if o.has("min_unit_price") {
		if n := o.Int("min_unit_price", -1, 0); n >= 0 {
			match = append(match, fmt.Sprintf("it.unit_price >= %d", n))
			filt.minPrice, filt.hasMin = n, true
			words = append(words, "priced at least "+money(n, e.camp.Currency))
		}
	}
	desc := describeFilter(words)
	qty, amount := readCompare(o, "quantity"), readCompare(o, "subtotal")
	if !o.has("quantity") && !o.has("subtotal") {
		qty = []cmp{{"at_least", 1}}
	}
	lines := fmt.Sprintf("lines_%d", e.next())
	var out []*node
	for _, c := range qty {
		n := leaf("items", "cart must have "+count(c, "item"+desc, "items"+desc), "cart must have "+count(c.flip(), "item"+desc, "items"+desc), neg, "")
		n.bodies = [][]string{{c.rego("sum([it.quantity | some it in " + lines + "])")}}
		n.test = filt.quantity(c)
		out = append(out, n)
	}
	for _, c := range amount {
		what := "items" + desc
		n := leaf("items", what+" must cost "+amountWords.say(c, money(c.n, e.camp.Currency))+" together",
			what+" must cost "+amountWords.say(c.flip(), money(c.n, e.camp.Currency))+" together", neg, "")
		n.bodies = [][]string{{c.rego("sum([amount | some it in " + lines + "; amount := it.quantity * it.unit_price])")}}
		n.test = filt.amount(c)
		out = append(out, n)
	}
	def := "# The cart's lines of items" + desc + ".\n" + lines + " contains it if {\n\tsome it in input.cart.items\n\t" + strings.Join(match, "\n\t") + "\n}"
	if len(match) == 0 {
		def = "# The cart's lines.\n" + lines + " contains it if some it in input.cart.items"
	}
	filt.key = strings.Join(match, "\n")
	for _, n := range out {
		n.defs = []string{def}
		n.filter = filt
	}
	return out
}

var customerKeys = []string{"signed_in", "tier", "segments", "country", "attributes", "orders",
	"days_since_last_order", "days_since_sign_up", "birthday_within_days"}

// parseCustomer reads customer: who buys. An anonymous cart has no
// customer: every condition on one fails (and holds when negated).
func parseCustomer(o *obj, neg bool, e env) []*node {
	o.known("customer condition", customerKeys)
	var out []*node
	if o.has("signed_in") {
		in := o.Bool("signed_in", true)
		out = append(out, leaf("signed_in", "customer must be signed in", "customer must not be signed in",
			neg != !in, `input.customer.id != ""`).native(signedIn))
	}
	if names := readNames(o, "tier"); len(names) > 0 {
		out = append(out, leaf("customer_tier", "customer tier must be "+orList(names), "customer tier must not be "+orList(names),
			neg, oneOf("input.customer.tier", quoteAll(names))).native(isOneOfAt(true, "tier", stringValues(names))))
	}
	if names := readNames(o, "segments"); len(names) > 0 {
		n := leaf("customer_segments", "customer must be in segment "+orList(names), "customer must not be in segment "+orList(names), neg, "").
			native(memberAt("segments", stringValues(names)))
		if len(names) == 1 {
			n.bodies = [][]string{{quote(names[0]) + " in input.customer.segments"}}
		} else {
			n.bodies = [][]string{{"some segment in input.customer.segments", oneOf("segment", quoteAll(names))}}
		}
		out = append(out, n)
	}
	if names := readNames(o, "country"); len(names) > 0 {
		out = append(out, leaf("customer_country", "customer country must be "+orList(names), "customer country must not be "+orList(names),
			neg, oneOf("input.customer.country", quoteAll(names))).native(isOneOfAt(true, "country", stringValues(names))))
	}
	for _, a := range readAttributes(o, "attributes", "input.customer.attributes") {
		what := "customer attribute " + a.key
		out = append(out, leaf("customer_attribute", what+" must be "+orList(a.values), what+" must not be "+orList(a.values), neg, a.test).
			native(customerAttribute(a.key, a.vals)))
	}
	for _, c := range readCompare(o, "orders") {
		out = append(out, leaf("customer_orders", "customer must have "+count(c, "previous order", "previous orders"),
			"customer must have "+count(c.flip(), "previous order", "previous orders"),
			neg, c.rego(`object.get(input, ["customer", "orders_count"], 0)`)).native(ordersCount(c)))
	}
	for _, c := range readCompare(o, "days_since_last_order") {
		n := leaf("last_order", "last order must be "+agoWords.say(c, days(c.n)), "last order must be "+agoWords.say(c.flip(), days(c.n)),
			neg, c.rego("days_since_last_order"), "days_since_last_order").native(daysSince("last_order_at", c))
		n.missing = &missing{present: "input.customer.last_order_at", test: defined("last_order_at"), text: "customer has no previous order"}
		out = append(out, n)
	}
	for _, c := range readCompare(o, "days_since_sign_up") {
		n := leaf("sign_up", "customer must have signed up "+agoWords.say(c, days(c.n)), "customer must have signed up "+agoWords.say(c.flip(), days(c.n)),
			neg, c.rego("days_since_sign_up"), "days_since_sign_up").native(daysSince("created_at", c))
		n.missing = &missing{present: "input.customer.created_at", test: defined("created_at"), text: "customer's sign-up date is unknown"}
		out = append(out, n)
	}
	if o.has("birthday_within_days") {
		if d := o.Int("birthday_within_days", -1, 0); d > 366 {
			o.Fail("birthday_within_days", "must be at most 366, got %d", d)
		} else if d >= 0 {
			text := fmt.Sprintf("within %s of the customer's birthday", days(d))
			if d == 0 {
				text = "the customer's birthday"
			}
			n := leaf("birthday", "today must be "+text, "today must not be "+text, neg, fmt.Sprintf("birthday_distance <= %d", d), "birthday_distance").
				native(birthdayWithin(campaignZone(e), d))
			n.missing = &missing{present: "input.customer.birthday", test: defined("birthday"), text: "customer's birthday is unknown"}
			out = append(out, n)
		}
	}
	return out
}

// parseContext reads channel and store: where the request comes from.
func parseContext(o *obj, neg bool) []*node {
	var out []*node
	if names := readNames(o, "channel"); len(names) > 0 {
		out = append(out, leaf("channel", "channel must be "+orList(names), "channel must not be "+orList(names),
			neg, oneOf("input.context.channel", quoteAll(names))).native(isOneOfAt(false, "channel", stringValues(names))))
	}
	if names := readNames(o, "store"); len(names) > 0 {
		out = append(out, leaf("store", "store must be "+orList(names), "store must not be "+orList(names),
			neg, oneOf("input.context.store_id", quoteAll(names))).native(isOneOfAt(false, "store_id", stringValues(names))))
	}
	return out
}

// describeFilter joins the phrases of a filter: " in category socks, with
// brand acme, size 42, priced at least $10" ("with" said once).
func describeFilter(words []string) string {
	with := false
	for i, w := range words {
		if rest, ok := strings.CutPrefix(w, "with "); ok {
			if with {
				words[i] = rest
			}
			with = true
		}
	}
	if len(words) == 0 {
		return ""
	}
	return " " + strings.Join(words, ", ")
}

// readNames reads a name or a list of names.
func readNames(o *obj, key string) []string {
	v, ok := o.m[key]
	if !ok || v == nil {
		return nil
	}
	if s, isStr := v.(string); isStr {
		if strings.TrimSpace(s) == "" {
			o.Fail(key, "must not be empty")
			return nil
		}
		return []string{s}
	}
	names := o.Strings(key)
	if _, isList := v.([]any); isList && len(names) == 0 {
		o.Fail(key, "must name at least one value")
	}
	return names
}

var identRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// refKey is the Rego ref to key of an object: .key, or ["key"] when key is
// not an identifier.
func refKey(key string) string {
	if identRE.MatchString(key) && !keywords[key] {
		return "." + key
	}
	return "[" + quote(key) + "]"
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quote(n)
	}
	return out
}

// attribute is one attribute test: the key is one of values.
type attribute struct {
	key    string
	values []string // in words
	test   string   // in Rego
	vals   []value  // natively
}

// readAttributes reads a mapping of attribute to value (or list of
// values), of is the Rego object they are read from.
func readAttributes(o *obj, key, of string) []attribute {
	var out []attribute
	m := o.Map(key)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vals, ok := m[k].([]any)
		if !ok {
			vals = []any{m[k]}
		}
		var terms, said []string
		var native []value
		for _, v := range vals {
			t, w := scalar(v)
			nv, _ := valueOf(v)
			native = append(native, nv)
			if t == "" {
				o.add(o.Join(key)+"."+k, "must be a string, number, boolean or a list of them")
				terms = nil
				break
			}
			terms, said = append(terms, t), append(said, w)
		}
		if len(terms) == 0 {
			if len(vals) == 0 {
				o.add(o.Join(key)+"."+k, "must name at least one value")
			}
			continue
		}
		out = append(out, attribute{key: k, values: said, test: oneOf(of+refKey(k), terms), vals: native})
	}
	return out
}
