package tz

//go:generate go run gen.go

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // zones must not depend on the host's zoneinfo

	"github.com/promoedge/promoedge/policies/internal/field"
)

// Load returns the zone called name. "Local" and "" are refused: a
// campaign means the same instant on every host. The error suggests the
// closest known name.
func Load(name string) (*time.Location, error) {
	if name != "" && name != "Local" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	msg := fmt.Sprintf("unknown IANA time zone %q", name)
	if s := Suggest(name); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return nil, fmt.Errorf("%s", msg)
}

// Suggest is the known zone name closest to name, or "" when none is close.
func Suggest(name string) string {
	lname := strings.ToLower(name)
	best, bestD := "", max(3, len(name)/4+1)
	for _, n := range names {
		ln := strings.ToLower(n)
		d := field.Distance(lname, ln)
		if i := strings.LastIndexByte(ln, '/'); i >= 0 && ln[i+1:] == lname {
			d = 1 // "dublin" for "Europe/Dublin"
		}
		if d < bestD {
			best, bestD = n, d
		}
	}
	return best
}
