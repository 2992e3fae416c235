package rego

import (
	"fmt"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
)

// SharedPackage holds the comprehensions that Share takes out of the rules.
const SharedPackage = "promoedge.shared"

// Share returns modules in which every comprehension (or call of one, like
// sum([...])) that is written the same in two or more rules, and that reads
// nothing of its rule (only input, data, builtins and its own variables),
// is a rule of package SharedPackage that those rules refer to. A batch
// evaluates each such rule once and the rules read its cached value: the
// cart's subtotal written as sum([...]) in a hundred rules is summed once
// a request, not a hundred times. Under a `with` (rules that read input.campaign) OPA's cache is
// fresh and the shared rule is evaluated again, as the comprehension was.
//
// modules are not changed: the ones Share rewrites are copies. With nothing
// to share it returns modules itself.
func Share(modules map[string]*ast.Module) map[string]*ast.Module {
	copies, found := comprehensions(modules)
	keys := make([]string, 0, len(found))
	for k, ts := range found {
		if len(ts) > 1 {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return modules
	}
	sort.Strings(keys)
	copies["promoedge/shared.rego"] = sharedModule(keys, found)
	return copies
}

// comprehensions copies modules and finds the closed comprehensions of
// the copies' rules, by their text.
func comprehensions(modules map[string]*ast.Module) (map[string]*ast.Module, map[string][]*ast.Term) {
	names := ruleNames(modules)
	found := map[string][]*ast.Term{} // comprehension text -> occurrences
	copies := make(map[string]*ast.Module, len(modules))
	for file, m := range modules {
		cp := m.Copy()
		copies[file] = cp
		scope := names[cp.Package.Path.String()]
		for _, a := range cp.Imports {
			scope = append(scope, a.Name())
		}
		for _, r := range cp.Rules {
			for ; r != nil; r = r.Else {
				for _, t := range closedComprehensions(r, scope) {
					key := t.String()
					found[key] = append(found[key], t)
				}
			}
		}
	}
	return copies, found
}

// sharedModule is package SharedPackage with a rule c<i> for each of keys,
// the comprehension found[keys[i]]; every occurrence becomes a reference
// to its rule.
func sharedModule(keys []string, found map[string][]*ast.Term) *ast.Module {
	src := "package " + SharedPackage + "\n"
	for i := range keys {
		src += fmt.Sprintf("c%d := []\n", i)
	}
	shared := ast.MustParseModuleWithOpts(src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	for i, k := range keys {
		first, r := found[k][0], shared.Rules[i]
		r.Head.Value = first.Copy()
		r.Location, r.Head.Location = first.Location, first.Location
		ref := ast.MustParseRef(fmt.Sprintf("data.%s.c%d", SharedPackage, i))
		for _, t := range found[k] {
			t.Value = ref.Copy()
		}
	}
	return shared
}

// ruleNames lists the names a package's rules take, by package path: a
// variable of one of these names in a rule refers to a rule, not a local.
func ruleNames(modules map[string]*ast.Module) map[string][]ast.Var {
	out := map[string][]ast.Var{}
	for _, m := range modules {
		p := m.Package.Path.String()
		for _, r := range m.Rules {
			if len(r.Head.Reference) > 0 {
				if v, ok := r.Head.Reference[0].Value.(ast.Var); ok {
					out[p] = append(out[p], v)
				}
			}
			if r.Head.Name != "" {
				out[p] = append(out[p], r.Head.Name)
			}
		}
	}
	return out
}

// closedComprehensions finds the outermost comprehensions of a rule (and
// its else branches), or calls of them like sum([...]), that read nothing
// of the rule: every variable in one is input, data, or a variable of its
// own (declared in it, or used nowhere else in the rule), and every call is
// of a builtin or of a function named by its full data path. scope is the
// names that refer to rules and imports rather than to variables.
func closedComprehensions(r *ast.Rule, scope []ast.Var) []*ast.Term {
	uses := countVars(r)
	var out []*ast.Term
	var vis *ast.GenericVisitor
	vis = ast.NewGenericVisitor(func(x any) bool {
		switch x := x.(type) {
		case *ast.SomeDecl: // some x in xs is a call of internal.member_2: keep it
			for _, s := range x.Symbols {
				if call, ok := s.Value.(ast.Call); ok {
					for _, arg := range call[1:] {
						vis.Walk(arg)
					}
				}
			}
			return true
		case *ast.Term:
			if shareable(x) && closed(x, uses, scope) {
				out = append(out, x)
				return true
			}
		}
		return false // a comprehension inside it may still be closed
	})
	for ; r != nil; r = r.Else {
		vis.Walk(r.Head)
		vis.Walk(r.Body)
	}
	return out
}

// shareable terms cost enough to evaluate once: comprehensions, and calls
// with a comprehension in their arguments.
func shareable(t *ast.Term) bool {
	if isComprehension(t.Value) {
		return true
	}
	call, ok := t.Value.(ast.Call)
	if !ok {
		return false
	}
	found := false
	ast.WalkTerms(call[1:], func(a *ast.Term) bool {
		found = found || isComprehension(a.Value)
		return found
	})
	return found
}

// countVars counts the occurrences of every variable in x, operators of
// calls included.
func countVars(x any) map[ast.Var]int {
	n := map[ast.Var]int{}
	ast.NewGenericVisitor(func(x any) bool {
		if v, ok := x.(ast.Var); ok {
			n[v]++
		}
		return false
	}).Walk(x)
	return n
}

func closed(t *ast.Term, uses map[ast.Var]int, scope []ast.Var) bool {
	declared := declaredVars(t)
	own := countVars(t)
	ok := true
	var vis *ast.GenericVisitor
	call := func(op ast.Ref, args []*ast.Term) {
		if ok = operatorOK(op, scope); ok {
			for _, a := range args {
				vis.Walk(a)
			}
		}
	}
	vis = ast.NewGenericVisitor(func(x any) bool {
		if !ok {
			return true
		}
		switch x := x.(type) {
		case *ast.Expr:
			if !x.IsCall() {
				return false
			}
			call(x.Operator(), x.Operands())
			for _, w := range x.With {
				vis.Walk(w)
			}
			return true
		case ast.Call:
			ref, isRef := x[0].Value.(ast.Ref)
			if !isRef {
				ok = false
				return true
			}
			call(ref, x[1:])
			return true
		case ast.Var:
			ok = x.Equal(ast.InputRootDocument.Value) || x.Equal(ast.DefaultRootDocument.Value) ||
				declared[x] || !inScope(x, scope) && own[x] == uses[x]
		}
		return !ok
	})
	vis.Walk(t)
	return ok
}

// operatorOK: a call of a builtin (that no rule or import of the package
// shadows) or of a function named by its full data path.
func operatorOK(op ast.Ref, scope []ast.Var) bool {
	head, ok := op[0].Value.(ast.Var)
	switch {
	case !ok || inScope(head, scope):
		return false
	case head.Equal(ast.DefaultRootDocument.Value):
		return true
	}
	_, builtin := ast.BuiltinMap[op.String()]
	return builtin
}

func inScope(v ast.Var, scope []ast.Var) bool {
	for _, s := range scope {
		if s.Equal(v) {
			return true
		}
	}
	return false
}

// declaredVars are the variables that t declares with some or := (new
// variables whatever the rule around it holds).
func declaredVars(t *ast.Term) map[ast.Var]bool {
	out := map[ast.Var]bool{}
	ast.NewGenericVisitor(func(x any) bool {
		switch x := x.(type) {
		case *ast.SomeDecl:
			for _, s := range x.Symbols {
				switch v := s.Value.(type) {
				case ast.Var:
					out[v] = true
				case ast.Call: // some k, v in xs
					for _, arg := range v[1 : len(v)-1] {
						if av, ok := arg.Value.(ast.Var); ok {
							out[av] = true
						}
					}
				}
			}
		case *ast.Every:
			for _, k := range []*ast.Term{x.Key, x.Value} {
				if k != nil {
					ast.WalkVars(k, func(v ast.Var) bool { out[v] = true; return false })
				}
			}
		case *ast.Expr:
			if x.IsAssignment() {
				ast.WalkVars(x.Operand(0), func(v ast.Var) bool { out[v] = true; return false })
			}
		}
		return false
	}).Walk(t)
	return out
}

func isComprehension(v ast.Value) bool {
	switch v.(type) {
	case *ast.ArrayComprehension, *ast.SetComprehension, *ast.ObjectComprehension:
		return true
	}
	return false
}
