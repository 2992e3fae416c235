package policies_test

import (
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
)

// FuzzPeriodKey: a period's name comes back from files and from other
// nodes' messages. PeriodKeyEnd never panics on any string, and every
// period's Key gives back its end.
func FuzzPeriodKey(f *testing.F) {
	f.Add("day:2026-11-24:1764025200", int64(1764000000), uint8(0))
	f.Add("week:2026-11-23:", int64(0), uint8(1))
	f.Add(":::", int64(-1<<40), uint8(2))
	paris, _ := time.LoadLocation("Europe/Paris")
	kinds := []policies.PeriodKind{policies.Day, policies.Week, policies.Month}
	f.Fuzz(func(t *testing.T, key string, sec int64, kind uint8) {
		_, _ = policies.PeriodKeyEnd(key)
		at := time.Unix(sec%(1<<36), 0) // years 0 to 4000 or so
		p := policies.PeriodAt(kinds[int(kind)%len(kinds)], at, paris)
		if end, ok := policies.PeriodKeyEnd(p.Key()); !ok || !end.Equal(p.End) {
			t.Fatalf("%q ends %v, want %v", p.Key(), end, p.End)
		}
		if at.Before(p.Start) || !at.Before(p.End) {
			t.Fatalf("%v is not in %v", at, p)
		}
	})
}
