package policies

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/promoedge/promoedge/policies/internal/field"
)

// Filter selects cart lines. Every part that is set must match: one of the
// SKUs, one of the categories, every attribute (a list of values means any
// of them), and a unit price of at least MinUnitPrice; and a line that
// Exclude matches never matches. A zero Filter matches every line.
type Filter struct {
	SKUs         []string
	Categories   []string
	Attributes   map[string]any
	MinUnitPrice int64
	// Exclude, when set, takes out the lines it matches (SPEC §5:
	// "a line matched by exclude never matches").
	Exclude *Filter
}

// IsZero reports whether the filter matches every line.
func (f *Filter) IsZero() bool {
	return len(f.SKUs) == 0 && len(f.Categories) == 0 && len(f.Attributes) == 0 && f.MinUnitPrice == 0 && f.Exclude == nil
}

// Match reports whether the line passes the filter.
func (f *Filter) Match(it *Item) bool {
	if len(f.SKUs) > 0 && !slices.Contains(f.SKUs, it.SKU) {
		return false
	}
	if len(f.Categories) > 0 && !intersects(f.Categories, it.Categories) {
		return false
	}
	if it.UnitPrice < f.MinUnitPrice {
		return false
	}
	if f.Exclude != nil && f.Exclude.Match(it) {
		return false
	}
	if len(f.Attributes) == 0 { // ranging over an empty map still costs
		return true
	}
	for k, want := range f.Attributes {
		if !attrMatch(want, it.Attributes[k]) {
			return false
		}
	}
	return true
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func attrMatch(want, got any) bool {
	if alts, ok := want.([]any); ok {
		for _, w := range alts {
			if scalarEqual(w, got) {
				return true
			}
		}
		return false
	}
	return scalarEqual(want, got)
}

// scalarEqual compares decoded JSON scalars; numbers compare by value.
func scalarEqual(a, b any) bool {
	switch x := a.(type) {
	case string, bool:
		return a == b
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		fx, e1 := x.Float64()
		fy, e2 := y.Float64()
		return e1 == nil && e2 == nil && fx == fy
	}
	return false
}

func readFilter(o *field.Obj) Filter {
	if o == nil {
		return Filter{}
	}
	f := Filter{
		SKUs:         o.Strings("skus"),
		Categories:   o.Strings("categories"),
		Attributes:   o.Map("attributes"),
		MinUnitPrice: o.Int("min_unit_price", 0, 0),
	}
	for k, v := range f.Attributes {
		if !validAttr(v) {
			o.Fail("attributes."+k, "must be a string, number, boolean or a list of them")
		}
	}
	if ex := o.Object("exclude"); ex != nil {
		x := readFilter(ex)
		if x.IsZero() {
			o.Fail("exclude", "must say which lines to leave out (skus, categories, attributes or min_unit_price)")
		}
		f.Exclude = &x
	}
	o.Strict()
	return f
}

func validAttr(v any) bool {
	switch x := v.(type) {
	case string, bool, json.Number:
		return true
	case []any:
		for _, e := range x {
			if _, isList := e.([]any); isList || !validAttr(e) {
				return false
			}
		}
		return true
	}
	return false
}

func (f Filter) String() string {
	s := fmt.Sprintf("skus=%v categories=%v attributes=%v min_unit_price=%d", f.SKUs, f.Categories, f.Attributes, f.MinUnitPrice)
	if f.Exclude != nil {
		s += " exclude={" + f.Exclude.String() + "}"
	}
	return s
}
