package suggest_test

import (
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/promoedge/promoedge/internal/suggest"
)

func TestClosest(t *testing.T) {
	effects := []string{"percent_off", "amount_off", "fixed_price", "buy_x_get_y", "free_shipping", "free_item", "points"}
	for _, tc := range []struct {
		name, written string
		known         []string
		want          string
	}{
		{"one typo", "percent_of", effects, "percent_off"},
		{"two edits", "vpi", []string{"vip", "premium"}, "vip"},
		{"three edits on a short name is too far", "xyz", []string{"vip"}, ""},
		{"case is ignored", "Tier", []string{"tier", "segments"}, "tier"},
		{"the name keeps its spelling", "europe/dubln", []string{"Europe/Dublin"}, "Europe/Dublin"},
		{"a long name may have more typos", "Amrica/New_Yrok", []string{"America/New_York"}, "America/New_York"},
		{"nearest wins", "ovr", []string{"under", "over", "at_most"}, "over"},
		{"ties go to the alphabetically first", "ab", []string{"ac", "aa"}, "aa"},
		{"nothing known", "want", nil, ""},
		{"an exact match is its own suggestion", "want", []string{"wants", "want"}, "want"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := suggest.Closest(tc.written, tc.known); got != tc.want {
				t.Errorf("Closest(%q, %q) = %q, want %q", tc.written, tc.known, got, tc.want)
			}
		})
	}
}

func TestMaxDistance(t *testing.T) {
	for _, tc := range []struct {
		name string
		want int
	}{
		{"", 2}, {"vip", 2}, {"percent_off", 2}, {"free_shipping", 3}, {"America/New_York", 4},
	} {
		if got := suggest.MaxDistance(tc.name); got != tc.want {
			t.Errorf("MaxDistance(%q) = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestDidYouMean(t *testing.T) {
	if got := suggest.DidYouMean("prority", []string{"priority", "name"}); got != `; did you mean "priority"?` {
		t.Errorf("DidYouMean = %q", got)
	}
	if got := suggest.DidYouMean("xyz", []string{"priority"}); got != "" {
		t.Errorf("DidYouMean of nothing near = %q", got)
	}
}

func TestFlag(t *testing.T) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.String("listen", "", "")
	fs.String("data", "", "")
	fs.SetOutput(io.Discard)
	err := fs.Parse([]string{"--lisen", "x"})
	if got := suggest.Flag(fs, err); got != "listen" {
		t.Errorf("Flag(--lisen) = %q, want listen", got)
	}
	if got := suggest.Flag(fs, errors.New("invalid value")); got != "" {
		t.Errorf("Flag(other error) = %q, want \"\"", got)
	}
}
