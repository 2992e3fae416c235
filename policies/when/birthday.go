package when

import "time"

// birthdayWithin is birthday_distance <= d: today, where the customer is,
// is within d days of their birthday last year, this year or next.
func birthdayWithin(def *time.Location, d int64) check {
	return func(f *facts) bool {
		dist, defined, ok := f.birthdayDistance(def)
		return defined && ok && dist <= d
	}
}

// birthdayDistance is the generated birthday_distance: the days from today
// (a UTC midnight of the customer's date) to the nearest of the birthdays
// of last, this and next year, as time.add_date moves them (29 February
// becomes 1 March). defined is false without a birthday; ok is false when
// the Rego's evaluation fails (a birthday that is not a date, a time out
// of OPA's range, a customer time zone that is not a name).
func (f *facts) birthdayDistance(def *time.Location) (dist int64, defined, ok bool) {
	today, ok := f.today(def)
	x, defined := get(f.customer, "birthday")
	if !ok || !defined {
		return 0, defined, ok
	}
	s, isStr := x.(string)
	if !isStr {
		return 0, true, false
	}
	birth, err := time.Parse("2006-01-02", s)
	if err != nil || !inRange(birth) {
		return 0, true, false
	}
	dist = -1
	for dy := -1; dy <= 1; dy++ {
		b := birth.AddDate(today.Year()+dy-birth.Year(), 0, 0)
		if !inRange(b) {
			return 0, true, false
		}
		d := b.Unix() - today.Unix()
		if d < 0 {
			d = -d
		}
		if d /= 86400; dist < 0 || d < dist {
			dist = d
		}
	}
	return dist, true, true
}

// today is today_ns: the customer's date today as a UTC midnight.
func (f *facts) today(def *time.Location) (time.Time, bool) {
	t, ok := zone{def: def}.now(f)
	if !ok {
		return time.Time{}, false
	}
	y, m, d := t.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return today, inRange(today)
}
