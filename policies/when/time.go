package when

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/promoedge/promoedge/internal/suggest"
)

var weekdays = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// dayNames are the names days may be given by, lower case.
var dayNames = func() map[string][]string {
	m := map[string][]string{"weekdays": weekdays[:5], "weekend": weekdays[5:]}
	for _, d := range weekdays {
		m[strings.ToLower(d)] = []string{d}
		m[strings.ToLower(d[:3])] = []string{d}
	}
	return m
}()

var clockRE = regexp.MustCompile(`^([01]?[0-9]|2[0-4]):([0-5][0-9])$`)

// parseTime reads days and hours: when, on the clock of the block's zone.
func parseTime(o *obj, neg bool, e env) []*node {
	var out []*node
	zone := zoneWords(e.zone)
	var uses []string
	if e.zone == "customer" {
		uses = []string{"customer_tz"}
	}
	if o.has("days") {
		if ds := readDays(o, "days"); len(ds) > 0 {
			out = append(out, leaf("days", "day must be "+orList(ds)+zone, "day must not be "+orList(ds)+zone, neg,
				oneOf(fmt.Sprintf("time.weekday([now_ns, %s])", zoneRego(e.zone)), quoteAll(ds)), append(uses, "now_ns")...).
				native(onDays(clockOf(e), ds)))
		}
	}
	if h := o.sub("hours"); h != nil {
		h.known("field", []string{"from", "until"})
		from, until := readClock(h, "from", false), readClock(h, "until", true)
		switch {
		case from < 0 || until < 0:
		case from == until:
			h.Fail("until", "must differ from from (%s)", h.String("from", ""))
		default:
			text := fmt.Sprintf("between %s and %s%s", h.String("from", ""), h.String("until", ""), zone)
			n := leaf("hours", "time must be "+text, "time must not be "+text, neg, "", append(uses, "now_ns")...).
				native(between(clockOf(e), from, until))
			clock := []string{fmt.Sprintf("clock := time.clock([now_ns, %s])", zoneRego(e.zone)), "minute := (clock[0] * 60) + clock[1]"}
			if from < until {
				n.bodies = [][]string{append(clock, fmt.Sprintf("minute >= %d", from), fmt.Sprintf("minute < %d", until))}
			} else { // overnight: 22:00 to 02:00
				n.bodies = [][]string{append(slices.Clone(clock), fmt.Sprintf("minute >= %d", from)), append(clock, fmt.Sprintf("minute < %d", until))}
			}
			out = append(out, n)
		}
	}
	return out
}

// readDays reads a day name or a list of them: Monday or Mon (any case),
// weekdays, weekend.
func readDays(o *obj, key string) []string {
	names := readNames(o, key)
	set := map[string]bool{}
	for _, n := range names {
		ds, ok := dayNames[strings.ToLower(strings.TrimSpace(n))]
		if !ok {
			all := make([]string, 0, len(dayNames))
			for k := range dayNames {
				if len(k) > 3 {
					all = append(all, k)
				}
			}
			o.Fail(key, "unknown day %q%s; days are monday ... sunday (or mon ... sun), weekdays, weekend", n, suggest.DidYouMean(n, all))
			return nil
		}
		for _, d := range ds {
			set[d] = true
		}
	}
	var out []string
	for _, d := range weekdays {
		if set[d] {
			out = append(out, d)
		}
	}
	return out
}

// readClock reads "HH:MM" as minutes after midnight; -1 if invalid.
// "24:00" is only an until.
func readClock(o *obj, key string, until bool) int {
	if !o.has(key) {
		o.Fail(key, "is required, as \"HH:MM\"")
		return -1
	}
	s := o.String(key, "")
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		o.Fail(key, "must be a time of day like \"09:30\", got %q", s)
		return -1
	}
	h, _ := strconv.Atoi(m[1])
	mins, _ := strconv.Atoi(m[2])
	if h == 24 && (mins != 0 || !until) {
		o.Fail(key, "24:00 is only an until, and the latest one")
		return -1
	}
	return h*60 + mins
}
