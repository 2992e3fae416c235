package policies_test

import (
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

func TestPeriodAtFollowsTheCalendarOfTheZone(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	ny, _ := time.LoadLocation("America/New_York")
	for _, tc := range []struct {
		name       string
		kind       policies.PeriodKind
		at         string // RFC 3339
		loc        *time.Location
		start, end string // RFC 3339
		hours      float64
	}{
		// 2026-03-29: Paris springs forward at 02:00, the day has 23 hours
		{"paris spring forward", policies.Day, "2026-03-29T12:00:00+02:00", paris, "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 23},
		{"paris just before it", policies.Day, "2026-03-28T23:59:59+01:00", paris, "2026-03-28T00:00:00+01:00", "2026-03-29T00:00:00+01:00", 24},
		// 2026-10-25: Paris falls back at 03:00, the day has 25 hours
		{"paris fall back", policies.Day, "2026-10-25T02:30:00+01:00", paris, "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 25},
		{"paris last second of the long day", policies.Day, "2026-10-25T23:59:59+01:00", paris, "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 25},
		// New York: 2026-03-08 (23 h) and 2026-11-01 (25 h)
		{"new york spring forward", policies.Day, "2026-03-08T03:30:00-04:00", ny, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00", 23},
		{"new york fall back", policies.Day, "2026-11-01T01:30:00-05:00", ny, "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00", 25},
		// a UTC instant is counted in the zone's day: 23:30 UTC is the next day in Paris
		{"utc instant in paris", policies.Day, "2026-11-24T23:30:00Z", paris, "2026-11-25T00:00:00+01:00", "2026-11-26T00:00:00+01:00", 24},
		// weeks start on Monday; the week of the fall-back Sunday has 169 hours
		{"week of a sunday", policies.Week, "2026-10-25T20:00:00+01:00", paris, "2026-10-19T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 169},
		{"week of a monday", policies.Week, "2026-11-23T00:00:00+01:00", paris, "2026-11-23T00:00:00+01:00", "2026-11-30T00:00:00+01:00", 168},
		{"week across a year", policies.Week, "2027-01-01T10:00:00Z", time.UTC, "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z", 168},
		{"month with spring forward", policies.Month, "2026-03-31T23:59:59+02:00", paris, "2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00", 31*24 - 1},
		{"february", policies.Month, "2028-02-29T12:00:00-05:00", ny, "2028-02-01T00:00:00-05:00", "2028-03-01T00:00:00-05:00", 29 * 24},
		{"december to january", policies.Month, "2026-12-31T23:00:00Z", time.UTC, "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z", 31 * 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at, _ := time.Parse(time.RFC3339, tc.at)
			p := policies.PeriodAt(tc.kind, at, tc.loc)
			start, _ := time.Parse(time.RFC3339, tc.start)
			end, _ := time.Parse(time.RFC3339, tc.end)
			if !p.Start.Equal(start) || !p.End.Equal(end) {
				t.Errorf("period = [%v, %v), want [%v, %v)", p.Start, p.End, start, end)
			}
			if h := p.End.Sub(p.Start).Hours(); h != tc.hours {
				t.Errorf("period lasts %v hours, want %v", h, tc.hours)
			}
			if at.Before(p.Start) || !at.Before(p.End) {
				t.Errorf("%v is not in its own period [%v, %v)", at, p.Start, p.End)
			}
			if next := p.Next(); !next.Start.Equal(p.End) || !next.End.After(next.Start) {
				t.Errorf("next = %v", next)
			}
			end2, ok := policies.PeriodKeyEnd(p.Key())
			if !ok || !end2.Equal(p.End) {
				t.Errorf("key %q ends %v, want %v", p.Key(), end2, p.End)
			}
		})
	}
}

// Every instant of a year is in exactly one day, and days tile it: the
// end of one is the start of the next, across both changes of the zone.
func TestDaysTileAYearWithDaylightSaving(t *testing.T) {
	for _, name := range []string{"Europe/Paris", "America/New_York"} {
		loc, _ := time.LoadLocation(name)
		p := policies.PeriodAt(policies.Day, time.Date(2026, 1, 1, 12, 0, 0, 0, loc), loc)
		short, long := 0, 0
		for range 365 {
			switch p.End.Sub(p.Start) {
			case 23 * time.Hour:
				short++
			case 25 * time.Hour:
				long++
			case 24 * time.Hour:
			default:
				t.Fatalf("%s: %v lasts %v", name, p, p.End.Sub(p.Start))
			}
			next := p.Next()
			if !next.Start.Equal(p.End) {
				t.Fatalf("%s: %v is followed by %v", name, p, next)
			}
			if got := policies.PeriodAt(policies.Day, p.End.Add(-time.Second), loc); !got.Start.Equal(p.Start) {
				t.Fatalf("%s: the last second of %v is in %v", name, p, got)
			}
			p = next
		}
		if short != 1 || long != 1 {
			t.Errorf("%s: %d short and %d long days in 2026, want 1 and 1", name, short, long)
		}
	}
}

var keySink string

// TestPeriodKeyAllocatesOnlyItsString: naming a period, done for every
// priced campaign with per-period limits, costs one allocation (Key's
// comment).
func TestPeriodKeyAllocatesOnlyItsString(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	p := policies.PeriodAt(policies.Week, time.Date(2026, 11, 24, 12, 0, 0, 0, paris), paris)
	if n := testing.AllocsPerRun(100, func() { keySink = p.Key() }); n != 1 {
		t.Errorf("Key allocates %v times, want 1", n)
	}
}
