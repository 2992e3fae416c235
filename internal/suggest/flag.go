package suggest

import (
	"flag"
	"strings"
)

// Flag is the flag of fs closest to the one err (from fs.Parse) says is
// not defined, without dashes; "" when err is another error or no flag is
// close.
func Flag(fs *flag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return ""
	}
	var known []string
	fs.VisitAll(func(f *flag.Flag) { known = append(known, f.Name) })
	return Closest(strings.TrimLeft(name, "-"), known)
}
