package tz

//go:generate go run gen.go

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // zones must not depend on the host's zoneinfo

	"github.com/promoedge/promoedge/internal/suggest"
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
// A zone whose last part is name ("dublin" for "Europe/Dublin") is
// suggested before one that is merely near.
func Suggest(name string) string {
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	for _, n := range names {
		if i := strings.LastIndexByte(n, '/'); i >= 0 && strings.EqualFold(n[i+1:], name) {
			return n
		}
	}
	return suggest.Closest(name, names)
}
