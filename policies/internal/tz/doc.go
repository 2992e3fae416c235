// Package tz loads IANA time zones by name for campaign documents and
// suggests the intended name for a misspelt one ("Europe/Dublin" for
// "Europe/Dubln").
//
// # Caveats
//
// The zone data is Go's embedded copy (time/tzdata), so a zone loads the
// same on every host; the names suggested are those of the Go release that
// generated names.go (go generate).
package tz
