package suggest

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/agnivade/levenshtein"
)

// Closest is the name of known nearest to name (see the package
// documentation for the rule), or "" when none is near enough.
func Closest(name string, known []string) string {
	best, bestD := "", MaxDistance(name)+1
	lname := strings.ToLower(name)
	for _, k := range known {
		d := levenshtein.ComputeDistance(lname, strings.ToLower(k))
		if d < bestD || d == bestD && best != "" && k < best {
			best, bestD = k, d
		}
	}
	return best
}

// MaxDistance is how many edits a suggestion for name may be away.
func MaxDistance(name string) int {
	return max(2, utf8.RuneCountInString(name)/4)
}

// DidYouMean is "; did you mean "x"?" for the known name x nearest to
// name, or "" when none is near: the tail of an error message.
func DidYouMean(name string, known []string) string {
	if best := Closest(name, known); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return ""
}
