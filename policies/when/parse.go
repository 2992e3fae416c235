package when

import (
	"fmt"
	"sort"
	"strings"

	"github.com/promoedge/promoedge/internal/suggest"
	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/internal/tz"
)

// blockKeys are the conditions a block may hold, in the order they are
// compiled.
var blockKeys = []string{"cart", "items", "customer", "loyalty", "event", "channel", "store", "days", "hours", "timezone", "any", "all", "not", "reason"}

// belongs says where a condition written at the wrong level goes.
var belongs = map[string]string{
	"subtotal": "cart", "quantity": "items", "skus": "items", "categories": "items", "attributes": "customer",
	"tier": "customer", "segments": "customer", "country": "customer", "orders": "customer", "signed_in": "customer",
	"days_since_last_order": "customer", "days_since_sign_up": "customer", "birthday_within_days": "customer",
}

// obj is an object of the block with its raw mapping.
type obj struct {
	*field.Obj
	m    map[string]any
	errs *field.Errors
}

func newObj(path string, m map[string]any, errs *field.Errors) *obj {
	return &obj{Obj: field.Object(path, m, errs), m: m, errs: errs}
}

// sub is the mapping at key; nil (and a problem) when it is not one.
func (o *obj) sub(key string) *obj {
	m := o.Map(key)
	if m == nil {
		return nil
	}
	return newObj(o.Join(key), m, o.errs)
}

// list is the mappings at key, which may be one mapping or a list of them.
func (o *obj) list(key string) []*obj {
	v, ok := o.m[key]
	if !ok || v == nil {
		return nil
	}
	if m, isMap := v.(map[string]any); isMap {
		return []*obj{newObj(o.Join(key), m, o.errs)}
	}
	arr, isArr := v.([]any)
	if !isArr {
		o.Fail(key, "must be a mapping or a list of mappings, got %s", describe(v))
		return nil
	}
	if len(arr) == 0 {
		o.Fail(key, "must not be empty")
	}
	out := make([]*obj, 0, len(arr))
	for i, e := range arr {
		m, isMap := e.(map[string]any)
		if !isMap {
			o.add(field.Index(o.Join(key), i), "must be a mapping, got %s", describe(e))
			continue
		}
		out = append(out, newObj(field.Index(o.Join(key), i), m, o.errs))
	}
	return out
}

func (o *obj) add(path, format string, args ...any) {
	*o.errs = append(*o.errs, &field.Error{Field: path, Message: fmt.Sprintf(format, args...)})
}

// has reports whether key is given (and not null).
func (o *obj) has(key string) bool { return o.m[key] != nil }

// known reports every key of o that is not one of keys, with the name the
// author probably meant.
func (o *obj) known(what string, keys []string) {
	var unknown []string
	for k := range o.m {
		if !contains(keys, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		msg := "unknown " + what
		if s := suggest.Closest(k, keys); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		} else if parent := belongs[k]; parent != "" && what == "condition" {
			msg += fmt.Sprintf("; %s goes under %s: (did you mean %s: {%s: ...}?)", k, parent, parent, k)
		}
		msg += "; one of " + strings.Join(keys, ", ")
		o.add(o.Join(k), "%s", msg)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseBlock reads one block: every condition in it must hold (or, when
// neg, at least one must fail).
func parseBlock(o *obj, neg bool, e env) *node {
	if o == nil {
		return nil
	}
	before := len(*o.errs)
	o.known("condition", blockKeys)
	if o.has("timezone") {
		e.zone = readZone(o, "timezone")
	}
	var kids []*node
	if c := o.sub("cart"); c != nil {
		kids = append(kids, parseCart(c, neg, e)...)
	}
	for _, it := range o.list("items") {
		kids = append(kids, parseItems(it, neg, e)...)
	}
	if c := o.sub("customer"); c != nil {
		kids = append(kids, parseCustomer(c, neg, e)...)
	}
	if l := o.sub("loyalty"); l != nil {
		kids = append(kids, parseLoyalty(l, neg, e)...) // loyalty.go
	}
	if ev := o.sub("event"); ev != nil {
		kids = append(kids, parseEvent(ev, neg, e)...) // event.go
	}
	kids = append(kids, parseContext(o, neg)...)
	kids = append(kids, parseTime(o, neg, e)...)
	kind := "all"
	if neg {
		kind = dual(kind)
	}
	if o.has("any") {
		kids = append(kids, parseList(o, "any", "any", neg, e))
	}
	if o.has("all") {
		kids = append(kids, parseList(o, "all", "all", neg, e))
	}
	if n := o.sub("not"); n != nil {
		kids = append(kids, parseBlock(n, !neg, e))
	}
	reason := strings.TrimSpace(o.String("reason", ""))
	if o.has("reason") && reason == "" {
		o.Fail("reason", "must not be empty")
	}
	g := group(kind, kids)
	switch {
	case len(g.children) == 0:
		if len(*o.errs) == before {
			o.add(o.Path(), "needs at least one condition")
		}
		return nil
	case len(g.children) == 1 && reason == "":
		return g.children[0]
	case len(g.children) == 1 && g.children[0].reason == "":
		g.children[0].reason = reason
		return g.children[0]
	}
	g.reason = reason
	return g
}

// parseList reads key, a list of blocks: all of them must hold (kind
// "all") or one of them ("any").
func parseList(o *obj, key, kind string, neg bool, e env) *node {
	v := o.m[key]
	arr, ok := v.([]any)
	if !ok {
		o.Fail(key, "must be a list of blocks, got %s", describe(v))
		return nil
	}
	if len(arr) == 0 {
		o.Fail(key, "must list at least one block")
		return nil
	}
	if neg {
		kind = dual(kind)
	}
	var kids []*node
	for _, b := range o.list(key) {
		kids = append(kids, parseBlock(b, neg, e))
	}
	g := group(kind, kids)
	if len(g.children) == 1 {
		return g.children[0]
	}
	return g
}

// readZone reads a time zone name, or "customer" for the customer's own.
func readZone(o *obj, key string) string {
	name := o.String(key, "")
	if name == "customer" {
		return name
	}
	if _, err := tz.Load(name); err != nil {
		o.Fail(key, "%v (or \"customer\" for the customer's own zone)", err)
		return "UTC"
	}
	return name
}
