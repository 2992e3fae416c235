package when

import (
	"math/bits"
	"slices"
	"sort"
	"time"

	"github.com/promoedge/promoedge/policies/internal/field"
)

// Program is a when: block compiled for native evaluation: the same
// conditions as the Rego module Compile writes, as Go tests over the
// request, with every reason sentence made once.
type Program struct {
	// What a request reads first, together (decide): whether the
	// module's evaluation may fail, the block's one reason, and the
	// top-level conditions as steps (cut from one array of all the
	// Evaluator's programs by NewEvaluator, 8 bytes each, so that deciding
	// a catalog walks a few cache lines instead of top's records).
	risks risk // what of the request fails the Rego's evaluation
	fail  []string
	steps []step
	// lists is the reason list of every set of sents (by its bits) when
	// they are few (prebuilt), else ones holds each sentence as a
	// one-sentence list; sents are the sentences top's conditions may
	// say, sorted, each once. All made at bundle load: a request picks.
	lists [][]string
	ones  [][]string
	sents []string

	root     *node          // a group: all of its children must hold
	single   bool           // the module's eligible is its one condition
	zone     *time.Location // the campaign's
	zoneName string
	rule     string   // the generated rule's name, for errors
	top      []reason // one per top-level condition, unless fail
	leaves   []*node
}

// step is a top-level condition of a program, compact: its result slot
// and the bits of its sentences.
type step struct {
	id       int32 // the leaf's result slot; -1: a group, evaluated
	neg      bool  // the leaf must not hold
	miss     bool  // it has a sentence for data that is missing
	bit, alt uint8 // index in sents of its sentence, and of missing's
}

// reason is what a top-level condition adds to reasons when it fails.
type reason struct {
	n       *node
	text    []string // the requirement, as a one-sentence list
	missing []string // the data it reads is absent (nil: say text)
	id      int32    // n's result slot when n is a leaf, else -1
	neg     bool     // n is a leaf that must not hold
	bit     uint8    // index of text's sentence in the program's sents
	missBit uint8    // missing's (when missing is not nil)
}

// prebuilt is the most sentences a program's every reason list is made
// for at load (2^prebuilt lists); a program with more cuts the lists of
// several sentences from the request's slab.
const prebuilt = 4

// sentences numbers the sentences of p's top-level conditions (sorted,
// so that a set of them read bit by bit is sorted) and makes the reason
// lists a request picks from.
func (p *Program) sentences() {
	seen := map[string]bool{}
	for _, r := range p.top {
		seen[r.text[0]] = true
		if r.missing != nil {
			seen[r.missing[0]] = true
		}
	}
	p.sents = make([]string, 0, len(seen))
	for s := range seen {
		p.sents = append(p.sents, s)
	}
	sort.Strings(p.sents)
	if len(p.sents) > 64 {
		return // failingSlow decides; no bits
	}
	bit := func(s string) uint8 {
		i, _ := slices.BinarySearch(p.sents, s)
		return uint8(i)
	}
	for i := range p.top {
		r := &p.top[i]
		r.bit = bit(r.text[0])
		if r.missing != nil {
			r.missBit = bit(r.missing[0])
		}
	}
	if len(p.sents) <= prebuilt {
		n := 1 << len(p.sents)
		p.lists = make([][]string, n)
		all := make([]string, 0, len(p.sents)<<(len(p.sents)-1))
		for set := 1; set < n; set++ {
			start := len(all)
			for m := uint64(set); m != 0; m &= m - 1 {
				all = append(all, p.sents[bits.TrailingZeros64(m)])
			}
			p.lists[set] = all[start:len(all):len(all)]
		}
		return
	}
	p.ones = make([][]string, len(p.sents))
	for i := range p.sents {
		p.ones[i] = p.sents[i : i+1 : i+1]
	}
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
		p.sentences()
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
	if p.risks != 0 {
		if failed = f.failed(p.risks, p.zone); failed != 0 {
			return false, nil, failed
		}
	}
	if p.fail != nil {
		if p.root.eval(f) {
			return true, nil, 0
		}
		return false, p.fail, 0
	}
	if len(p.sents) > 64 {
		return p.failingSlow(f)
	}
	set := p.failing(f)
	switch {
	case set == 0:
		return true, nil, 0
	case p.lists != nil:
		return false, p.lists[set], 0
	case set&(set-1) == 0:
		return false, p.ones[bits.TrailingZeros64(set)], 0
	}
	return false, f.cut(p.sents, set), 0
}

// failing is the set of sentences of the top-level conditions that fail,
// a bit each in p.sents, read from p.steps (p.top's, compact).
func (p *Program) failing(f *facts) uint64 {
	var set uint64
	for i := range p.steps {
		s := &p.steps[i]
		var holds bool
		if s.id < 0 {
			holds = p.top[i].n.eval(f)
		} else if v := f.results[s.id]; v != 0 {
			holds = (v == 2) != s.neg
		} else {
			holds = f.test(p.top[i].n) != s.neg
		}
		if holds {
			continue
		}
		if s.miss && !p.top[i].n.missing.test(f) {
			set |= 1 << s.alt
		} else {
			set |= 1 << s.bit
		}
	}
	return set
}

// compact cuts the steps of programs from one array.
func compact(programs []*Program) {
	n := 0
	for _, p := range programs {
		n += len(p.top)
	}
	all := make([]step, 0, n)
	for _, p := range programs {
		start := len(all)
		for _, r := range p.top {
			all = append(all, step{id: r.id, neg: r.neg, miss: r.missing != nil, bit: r.bit, alt: r.missBit})
		}
		p.steps = all[start:len(all):len(all)]
	}
}

// failingSlow is decide's reasons for a program of more than 64
// sentences: gathered in f's scratch, sorted, each once.
func (p *Program) failingSlow(f *facts) (eligible bool, reasons []string, failed risk) {
	set := f.set[:0]
	var first []string
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
	switch len(set) {
	case 0:
		return true, nil, 0
	case 1:
		return false, first, 0
	}
	return false, f.keep(set), 0
}

// cut is the sentences of set (bits of sents, in order) as a list of the
// answer's own, cut from the request's slab.
func (f *facts) cut(sents []string, set uint64) []string {
	out := f.take(bits.OnesCount64(set))
	i := 0
	for m := set; m != 0; m &= m - 1 {
		out[i] = sents[bits.TrailingZeros64(m)]
		i++
	}
	return out
}

// keep copies a reason set out of the request's scratch into a list of
// the answer's own, cut from the request's slab.
func (f *facts) keep(set []string) []string {
	out := f.take(len(set))
	copy(out, set)
	return out
}

// take cuts a list of n sentences from the request's slab: one
// allocation for the reasons of many campaigns. Each list's capacity is
// its length: none grows into the next.
func (f *facts) take(n int) []string {
	if len(f.slab) < n {
		f.slab = make([]string, max(n, slabSize))
	}
	out := f.slab[:n:n]
	f.slab = f.slab[n:]
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
