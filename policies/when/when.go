package when

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/promoedge/promoedge/policies/internal/field"
	"github.com/promoedge/promoedge/policies/internal/tz"
)

// Campaign is what the compiler needs to know of the campaign whose block it
// compiles.
type Campaign struct {
	ID       string // for the module's comment
	Name     string // for the module's comment
	Rule     string // the module is package promo.rules.<Rule>
	Currency string // amounts in reasons are shown in it; "" shows decimals
	Timezone string // default zone of days and hours; "" is UTC
}

// Compile validates a when: block (decoded YAML or JSON: a mapping, or a
// list of mappings that must all hold) and returns the Rego module that
// decides it. path is the block's own path in errors ("when"). Every
// problem is returned at once; the module is "" when there is any.
func Compile(c Campaign, block any, path string) (string, []*field.Error) {
	var errs field.Errors
	root := parseRoot(c, block, path, &errs)
	if root == nil && len(errs) == 0 {
		errs = append(errs, &field.Error{Field: path, Message: "needs at least one condition"})
	}
	if len(errs) > 0 {
		return "", errs
	}
	return generate(c, root), nil
}

var unsafeRune = regexp.MustCompile(`[^A-Za-z0-9_]`)

// keywords of Rego that cannot name a package.
var keywords = map[string]bool{
	"as": true, "contains": true, "default": true, "else": true, "every": true, "false": true, "if": true,
	"import": true, "in": true, "not": true, "null": true, "package": true, "some": true, "true": true, "with": true,
}

// RuleName turns a campaign id into a rule name (a Rego identifier):
// "summer-20" → "summer_20". taken reports names already used; a name
// taken gets a suffix _2, _3, ...
func RuleName(id string, taken func(string) bool) string {
	base := unsafeRune.ReplaceAllString(id, "_")
	if base == "" || (base[0] >= '0' && base[0] <= '9') {
		base = "c_" + base
	}
	if keywords[base] {
		base += "_"
	}
	name := base
	for i := 2; taken != nil && taken(name); i++ {
		name = fmt.Sprintf("%s_%d", base, i)
	}
	return name
}

// env is what a block inherits from the blocks around it.
type env struct {
	camp Campaign
	zone string // zone of days and hours: a name, or "customer"
	seq  *int   // numbers the filter functions of items
}

func (e env) next() int {
	*e.seq++
	return *e.seq
}

func parseRoot(c Campaign, block any, path string, errs *field.Errors) *node {
	e := env{camp: c, zone: c.Timezone, seq: new(int)}
	if e.zone == "" {
		e.zone = "UTC"
	} else if _, err := tz.Load(e.zone); err != nil {
		e.zone = "UTC" // the campaign's own timezone field reports it
	}
	holder := newObj("", map[string]any{path: block}, errs)
	var root *node
	switch block.(type) {
	case map[string]any:
		root = parseBlock(holder.sub(path), false, e)
	case []any:
		root = parseList(holder, path, "all", false, e)
	default:
		holder.Fail(path, "must be a mapping of conditions (or a list of them), got %s", describe(block))
		return nil
	}
	if root != nil && (root.leaf() || root.kind != "all") { // generate reads the root as "every child holds"
		root = &node{kind: "all", children: []*node{root}}
	}
	return root
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "a mapping"
	}
	return "a number"
}

// quote writes s as a Rego string literal.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r == 0x2028 || r == 0x2029:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
