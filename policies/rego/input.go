package rego

import (
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
)

// toValue converts a decoded request (maps, lists and scalars as
// policies.DecodeRequest gives them) to the value ast.InterfaceToValue
// gives, with less allocation: the terms of a list or an object's values
// come in one block, and object keys, which repeat on every line of every
// cart, are made once and shared (OPA never changes a term of its input).
func toValue(x any) (ast.Value, error) {
	switch x := x.(type) {
	case map[string]any:
		vals := make([]ast.Term, len(x))
		kv := make([][2]*ast.Term, 0, len(x))
		for k, v := range x {
			t := &vals[len(kv)]
			var err error
			if t.Value, err = toValue(v); err != nil {
				return nil, err
			}
			kv = append(kv, [2]*ast.Term{keyTerm(k), t})
		}
		return ast.NewObject(kv...), nil
	case []any:
		elems := make([]ast.Term, len(x))
		ptrs := make([]*ast.Term, len(x))
		for i, v := range x {
			var err error
			if elems[i].Value, err = toValue(v); err != nil {
				return nil, err
			}
			ptrs[i] = &elems[i]
		}
		return ast.NewArray(ptrs...), nil
	case string:
		return ast.String(x), nil
	}
	return ast.InterfaceToValue(x)
}

// maxKeys bounds the shared keys: a client sending ever new keys gets
// fresh terms beyond it, not an ever larger table.
const maxKeys = 4096

var (
	keys  sync.Map // string -> *ast.Term
	nkeys atomic.Int32
)

func keyTerm(k string) *ast.Term {
	if t, ok := keys.Load(k); ok {
		return t.(*ast.Term)
	}
	t := ast.StringTerm(k)
	if nkeys.Load() < maxKeys {
		if _, loaded := keys.LoadOrStore(k, t); !loaded {
			nkeys.Add(1)
		}
	}
	return t
}
