package when

import "fmt"

// cmp is one comparison with a number: over, at_least, under, at_most or
// exactly (not_exactly only arises from negation).
type cmp struct {
	op string
	n  int64
}

// compareKeys are the comparisons a marketer writes, in order.
var compareKeys = []string{"over", "at_least", "under", "at_most", "exactly"}

var regoOps = map[string]string{"over": ">", "at_least": ">=", "under": "<", "at_most": "<=", "exactly": "==", "not_exactly": "!="}

// flip is the comparison that holds exactly when c does not.
func (c cmp) flip() cmp {
	f := map[string]string{"over": "at_most", "at_most": "over", "at_least": "under", "under": "at_least", "exactly": "not_exactly", "not_exactly": "exactly"}
	return cmp{f[c.op], c.n}
}

// rego is the comparison of x with the number.
func (c cmp) rego(x string) string { return fmt.Sprintf("%s %s %d", x, regoOps[c.op], c.n) }

// readCompare reads key: a number (exactly) or a mapping of comparisons,
// every one of which must hold.
func readCompare(o *obj, key string) []cmp {
	v := o.m[key]
	if _, isMap := v.(map[string]any); !isMap {
		if n := o.Int(key, -1, 0); n >= 0 {
			return []cmp{{"exactly", n}}
		}
		return nil
	}
	s := o.sub(key)
	s.known("comparison", compareKeys)
	var out []cmp
	for _, k := range compareKeys {
		if s.has(k) {
			if n := s.Int(k, -1, 0); n >= 0 {
				out = append(out, cmp{k, n})
			}
		}
	}
	if len(out) == 0 && len(s.m) == 0 {
		o.Fail(key, "needs a comparison: one of over, at_least, under, at_most, exactly")
	}
	return out
}

// phrases are the words of each comparison for one kind of quantity.
type phrases map[string]string

var (
	amountWords = phrases{"over": "over %s", "at_least": "at least %s", "under": "under %s", "at_most": "at most %s", "exactly": "exactly %s", "not_exactly": "other than %s"}
	countWords  = phrases{"over": "more than %s", "at_least": "at least %s", "under": "fewer than %s", "at_most": "at most %s", "exactly": "exactly %s", "not_exactly": "other than %s"}
	agoWords    = phrases{"over": "more than %s ago", "at_least": "at least %s ago", "under": "less than %s ago", "at_most": "at most %s ago", "exactly": "exactly %s ago", "not_exactly": "other than %s ago"}
)

// say puts the comparison in words, the number written by show.
func (p phrases) say(c cmp, show string) string { return fmt.Sprintf(p[c.op], show) }

// count says how many of a thing c asks for: "no items", "an item",
// "at least 2 items".
func count(c cmp, one, many string) string {
	switch {
	case c.op == "exactly" && c.n == 0, c.op == "at_most" && c.n == 0, c.op == "under" && c.n == 1:
		return "no " + many
	case c.op == "at_least" && c.n == 1, c.op == "over" && c.n == 0, c.op == "not_exactly" && c.n == 0:
		return "at least one " + one
	}
	noun := many
	if c.n == 1 && (c.op == "exactly" || c.op == "at_most" || c.op == "at_least") {
		noun = one
	}
	return countWords.say(c, fmt.Sprintf("%d %s", c.n, noun))
}

// days says a number of days.
func days(n int64) string {
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// holds is the comparison of x with the number, natively; d is x compared
// with it (<0, 0, >0).
func (c cmp) holds(d int) bool {
	switch c.op {
	case "over":
		return d > 0
	case "at_least":
		return d >= 0
	case "under":
		return d < 0
	case "at_most":
		return d <= 0
	case "exactly":
		return d == 0
	}
	return d != 0 // not_exactly
}

// holdsInt is the comparison of the integer x with the number.
func (c cmp) holdsInt(x int64) bool { return c.holds(cmpInt(x, c.n)) }
