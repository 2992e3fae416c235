package when

import (
	"encoding/json"
	"strconv"

	"github.com/open-policy-agent/opa/v1/ast"
)

// value is a scalar of a block (a name, or an attribute's value) as the
// native evaluator compares it: a string, a boolean or a number.
type value struct {
	kind byte // 's', 'b' or 'n'
	s    string
	b    bool
	n    ast.Number
}

// valueOf reads a decoded YAML/JSON scalar; ok is false for anything else.
func valueOf(v any) (value, bool) {
	switch x := v.(type) {
	case string:
		return value{kind: 's', s: x}, true
	case bool:
		return value{kind: 'b', b: x}, true
	}
	if t, w := scalar(v); t != "" {
		return value{kind: 'n', n: ast.Number(w)}, true
	}
	return value{}, false
}

func stringValues(names []string) []value {
	out := make([]value, len(names))
	for i, n := range names {
		out[i] = value{kind: 's', s: n}
	}
	return out
}

// equals is Rego's x == v for x a value of the input (decoded JSON:
// strings, booleans, json.Number, nil, lists, maps): numbers compare by
// value (1 == 1.0), values of different types are never equal.
func (v value) equals(x any) bool {
	switch x := x.(type) {
	case string:
		return v.kind == 's' && v.s == x
	case bool:
		return v.kind == 'b' && v.b == x
	case json.Number:
		return v.kind == 'n' && ast.NumberCompare(ast.Number(x), v.n) == 0
	}
	return false
}

// isOneOf is Rego's x == v (one value) or x in {v, ...}.
func isOneOf(x any, vs []value) bool {
	for _, v := range vs {
		if v.equals(x) {
			return true
		}
	}
	return false
}

// anyIn is Rego's `some e in x; e in {vs}` (and `v in x` for one value):
// x is a list (or an object, whose values are its members).
func anyIn(x any, vs []value) bool {
	switch x := x.(type) {
	case []any:
		for _, e := range x {
			if isOneOf(e, vs) {
				return true
			}
		}
	case map[string]any:
		for _, e := range x {
			if isOneOf(e, vs) {
				return true
			}
		}
	}
	return false
}

// get is Rego's x.key: the value and whether it is defined.
func get(x any, key string) (any, bool) {
	m, ok := x.(map[string]any)
	if !ok {
		return nil, false
	}
	v, ok := m[key]
	return v, ok
}

// compareTo is Rego's ordering of x against the integer n: numbers by
// value; null and booleans sort before every number, strings and
// collections after.
func compareTo(x any, n int64) int {
	switch x := x.(type) {
	case nil, bool:
		return -1
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return cmpInt(i, n)
		}
		return ast.NumberCompare(ast.Number(x), ast.Number(strconv.FormatInt(n, 10)))
	}
	return 1
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
