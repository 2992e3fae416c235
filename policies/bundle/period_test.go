package bundle_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/promoedge/promoedge/policies/bundle"
)

// A bundle with an unknown period or a best campaign without a group is
// refused, each problem at its file, line and field, with a suggestion.
func TestLoadRefusesBadPeriodsAndGroups(t *testing.T) {
	dir := files{
		"promo/campaigns/daily/data.yaml": "code: D\nlimits:\n  redemptions: 10\n  per_period:\n    period: dya\n    redemptions: 2\neffects:\n  - {type: free_shipping}\n",
		"promo/campaigns/rival/data.yaml": "code: R\npriority: 5\nstacking: best\neffects:\n  - {type: free_shipping}\n",
		"promo/campaigns/good/data.yaml":  "code: G\nstacking: best\ngroup: g\nlimits: {per_period: {period: week, budget: 500}}\neffects:\n  - {type: free_shipping}\n",
	}.writeDir(t)
	_, err := bundle.LoadPath(context.Background(), dir)
	le := loadError(t, err)
	var got []string
	for _, p := range le.Problems {
		got = append(got, fmt.Sprintf("%s:%d %s", p.File, p.Line, p.Field))
	}
	want := []string{
		"promo/campaigns/daily/data.yaml:5 campaigns.daily.limits.per_period.period",
		"promo/campaigns/rival/data.yaml:1 campaigns.rival.group",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("problems at %q, want %q (%v)", got, want, err)
	}
	if msg := le.Problems[0].Message; !strings.Contains(msg, `did you mean "day"?`) {
		t.Errorf("period problem says %q", msg)
	}
}
