package when

import "strings"

// node is one condition (a leaf) or a group of them. Negation has been
// pushed down to the leaves (De Morgan), so a group is never negated.
type node struct {
	kind   string // rule name stem: "cart_subtotal", ..., "any", "all"
	reason string // the marketer's words for this condition failing
	name   string // the rule's name in the module, set by the generator

	// a leaf
	text    string     // the requirement, as a sentence ("cart subtotal must be over $100")
	negText string     // the requirement when negated
	neg     bool       // the condition must not hold
	bodies  [][]string // Rego bodies of the condition (any of them holds)
	defs    []string   // definitions the bodies use (a filter function)
	uses    []string   // shared helpers the bodies use (see helpers)
	missing *missing   // what to say when the data the leaf reads is absent
	test    check      // the condition, natively (checks.go)
	id      int        // its result's slot in facts: leaves alike share one
	filter  *filter    // the lines an items condition reads

	// a group
	children []*node
	op       uint8 // opAll or opAny (set by Prepare); opLeaf for a leaf
}

// missing is a leaf's reason for a customer who lacks the data it reads.
type missing struct {
	present string // Rego expression that is defined when the data is there
	test    check  // the same, natively
	text    string
}

// native sets the leaf's native test.
func (n *node) native(test check) *node {
	n.test = test
	return n
}

func (n *node) leaf() bool { return n.kind != "any" && n.kind != "all" }

// requirement says what must hold for n, in words.
func (n *node) requirement() string {
	if n.reason != "" {
		return n.reason
	}
	return n.generated()
}

// generated is the requirement in the compiler's words, whatever the
// reason.
func (n *node) generated() string {
	switch {
	case n.leaf() && n.neg:
		return n.negText
	case n.leaf():
		return n.text
	}
	sep := " and "
	if n.kind == "any" {
		sep = " or "
	}
	parts := make([]string, len(n.children))
	for i, c := range n.children {
		parts[i] = c.requirement()
		if !c.leaf() && c.reason == "" && len(c.children) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, sep)
}

// holds is the Rego literal true when n holds; fails is true when it does
// not.
func (n *node) holds() string {
	if n.leaf() && n.neg {
		return "not " + n.name
	}
	return n.name
}

func (n *node) fails() string {
	if n.leaf() && n.neg {
		return n.name
	}
	return "not " + n.name
}

// group makes a group of kind ("all" or "any") from children, splicing in
// children that are groups of the same kind without a reason of their own.
func group(kind string, children []*node) *node {
	g := &node{kind: kind}
	for _, c := range children {
		if c == nil {
			continue
		}
		if c.kind == kind && c.reason == "" {
			g.children = append(g.children, c.children...)
			continue
		}
		g.children = append(g.children, c)
	}
	return g
}

// dual is the other kind of group: negating an all gives an any.
func dual(kind string) string {
	if kind == "all" {
		return "any"
	}
	return "all"
}
