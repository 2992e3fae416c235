package when

import (
	"slices"
	"time"

	"github.com/promoedge/promoedge/policies/internal/field"
)

// Program is a when: block compiled for native evaluation: the same
// conditions as the Rego module Compile writes, as Go tests over the
// request, with every reason sentence made once.
type Program struct {
	root     *node          // a group: all of its children must hold
	single   bool           // the module's eligible is its one condition
	risks    risk           // what of the request fails the Rego's evaluation
	zone     *time.Location // the campaign's
	zoneName string
	rule     string   // the generated rule's name, for errors
	fail     []string // the block's one reason, when it has one
	top      []reason // else one per top-level condition
	leaves   []*node
}

// reason is what a top-level condition adds to reasons when it fails.
type reason struct {
	n       *node
	text    []string // the requirement, as a one-sentence list
	missing []string // the data it reads is absent (nil: say text)
	id      int32    // n's result slot when n is a leaf, else -1
	neg     bool     // n is a leaf that must not hold
}

// Prepare validates a when: block as Compile does and compiles it for
// native evaluation. Its problems are Compile's, and a block Prepare
// accepts is decided exactly as the module Compile writes for it.
func Prepare(c Campaign, block any, path string) (*Program, []*field.Error) {
	var errs field.Errors
	root := parseRoot(c, block, path, &errs)
	if root == nil && len(errs) == 0 {
		errs = append(errs, &field.Error{Field: path, Message: "needs at least one condition"})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	p := &Program{root: root, single: len(root.children) == 1 && simple(root.children[0])}
	p.leaves = leavesOf(root, nil)
	p.risks = risksOf(p.leaves)
	p.zone, p.zoneName, p.rule = campaignZone(env{camp: c}), c.Timezone, c.Rule
	switch {
	case p.single:
		p.fail = []string{root.children[0].requirement()}
	case root.reason != "":
		p.fail = []string{root.reason}
	default:
		for _, n := range root.children {
			r := reason{n: n, text: []string{n.requirement()}}
			if n.missing != nil && !n.neg && n.reason == "" {
				r.missing = []string{n.missing.text}
			}
			p.top = append(p.top, r)
		}
	}
	return p, nil
}

// leavesOf lists the leaves under n, and marks each group's operator.
func leavesOf(n *node, out []*node) []*node {
	if n.leaf() {
		return append(out, n)
	}
	n.op = opAll
	if n.kind == "any" {
		n.op = opAny
	}
	for _, c := range n.children {
		out = leavesOf(c, out)
	}
	return out
}

// eval evaluates n on the request: whether it holds.
func (n *node) eval(f *facts) bool {
	switch n.op {
	case opAll:
		for _, c := range n.children {
			if !c.eval(f) {
				return false
			}
		}
		return true
	case opAny:
		return slices.ContainsFunc(n.children, func(c *node) bool { return c.eval(f) })
	}
	return f.test(n) != n.neg
}

// The operators of nodes, as eval reads them.
const (
	opLeaf = iota
	opAll
	opAny
)

// decide is the module's verdict on the request: eligible, and when not,
// its reasons (sorted, each once); failed is not 0 when the module's
// evaluation would fail.
func (p *Program) decide(f *facts) (eligible bool, reasons []string, failed risk) {
	if failed = f.failed(p.risks, p.zone); failed != 0 {
		return false, nil, failed
	}
	if p.fail != nil {
		if p.root.eval(f) {
			return true, nil, 0
		}
		return false, p.fail, 0
	}
	set, first := p.failing(f)
	switch len(set) {
	case 0:
		return true, nil, 0
	case 1:
		return false, first, 0
	}
	return false, f.keep(set), 0
}

// failing gathers the sentences of the top-level conditions that fail, in
// f's scratch (sorted, each once), and the first of them as the bundle's
// one-sentence list.
func (p *Program) failing(f *facts) (set, first []string) {
	set = f.set[:0]
	for i := range p.top {
		r := &p.top[i]
		if r.holds(f) {
			continue
		}
		one := r.text
		if r.missing != nil && !r.n.missing.test(f) {
			one = r.missing
		}
		if first == nil {
			first = one
		}
		if j, found := slices.BinarySearch(set, one[0]); !found {
			set = slices.Insert(set, j, one[0])
		}
	}
	f.set = set
	return set, first
}

// keep copies a reason set out of the request's scratch into a list of
// the answer's own, cut from the request's slab: one allocation for the
// reasons of many campaigns (a set of one sentence is the bundle's list,
// made once). Each list's capacity is its length: none grows into the
// next.
func (f *facts) keep(set []string) []string {
	n := len(set)
	if len(f.slab) < n {
		f.slab = make([]string, max(n, slabSize))
	}
	out := f.slab[:n:n]
	f.slab = f.slab[n:]
	copy(out, set)
	return out
}

// slabSize is the reason sentences a request's slab holds at first.
const slabSize = 256

// holds is r.n.eval(f), with a leaf's slot at hand.
func (r *reason) holds(f *facts) bool {
	if r.id < 0 {
		return r.n.eval(f)
	}
	if v := f.results[r.id]; v != 0 {
		return (v == 2) != r.neg
	}
	return f.test(r.n) != r.neg
}
