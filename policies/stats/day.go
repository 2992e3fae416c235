package stats

import "time"

// Day is a UTC date, as days since 1970-01-01.
type Day int32

// DayOf is t's UTC date.
func DayOf(t time.Time) Day {
	sec := t.Unix()
	d := sec / 86400
	if sec < 0 && sec%86400 != 0 {
		d-- // floor
	}
	return Day(d)
}

// Time is d's first instant (UTC).
func (d Day) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String is d as YYYY-MM-DD.
func (d Day) String() string { return d.Time().Format(time.DateOnly) }
