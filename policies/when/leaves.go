package when

import (
	"regexp"
	"strings"
)

// linesName is the name of a filter's set in a leaf's Rego, numbered per
// module.
var linesName = regexp.MustCompile(`lines_[0-9]+`)

// leafKey is what decides a leaf's test, the same for leaves alike in
// any campaign: its kind and Rego, the filter it reads (in place of its
// module's name for it) and, for the customer's clock, the zone used when
// they have none.
func leafKey(n *node, zone string) string {
	var b strings.Builder
	b.WriteString(n.kind)
	for _, body := range n.bodies {
		b.WriteString("\x00")
		b.WriteString(linesName.ReplaceAllString(strings.Join(body, "\x01"), "lines"))
	}
	if n.filter != nil {
		b.WriteString("\x00" + n.filter.key)
	}
	for _, u := range n.uses {
		if u == "customer_tz" || u == "birthday_distance" {
			b.WriteString("\x00" + zone)
		}
	}
	return b.String()
}

// numberLeaves gives leaves alike in programs one id, and filters alike
// one id; it returns how many of each there are.
func numberLeaves(programs []*Program) (leaves, filters int) {
	leafIDs, filterIDs := map[string]int{}, map[string]int{}
	for _, p := range programs {
		for _, n := range p.leaves {
			n.id = intern(leafIDs, leafKey(n, p.zoneName))
			if n.filter != nil {
				n.filter.id = intern(filterIDs, n.filter.key)
			}
		}
		for i := range p.top {
			r := &p.top[i]
			r.id, r.neg = -1, false
			if r.n.leaf() {
				r.id, r.neg = int32(r.n.id), r.n.neg
			}
		}
	}
	return len(leafIDs), len(filterIDs)
}

func intern(ids map[string]int, key string) int {
	id, ok := ids[key]
	if !ok {
		id = len(ids)
		ids[key] = id
	}
	return id
}
