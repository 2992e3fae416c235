package activation

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/promoedge/promoedge/policies"
)

// The report's types are the domain's (policies/shadow.go), so that the
// Go client reads them without importing this package.
type (
	ShadowReport   = policies.ShadowReport
	ShadowCampaign = policies.ShadowCampaign
	ShadowSample   = policies.ShadowSample
	ShadowSide     = policies.ShadowSide
)

func sideOf(d *policies.Decision) ShadowSide {
	return ShadowSide{Revision: d.BundleRevision, Discount: d.Discount, ShippingDiscount: d.ShippingDiscount,
		Total: d.Total, Applied: appliedCampaigns(d)}
}

// appliedCampaigns is each campaign (or reward) that applied, once.
func appliedCampaigns(d *policies.Decision) []string {
	out := []string{}
	for _, a := range d.Applied {
		id := a.Campaign
		if id == "" {
			id = "reward:" + a.Reward
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, p := range d.Points {
		if !slices.Contains(out, p.Campaign) {
			out = append(out, p.Campaign)
		}
	}
	for _, f := range d.FreeItems {
		if !slices.Contains(out, f.Campaign) {
			out = append(out, f.Campaign)
		}
	}
	return out
}

// shadowTally is a shadowRun's counts.
type shadowTally struct {
	compared, differ, errors, discountDelta int64
	lastError                               string
	campaigns                               map[string]*ShadowCampaign
	samples                                 []ShadowSample
	maxSamples                              int
}

func newShadowTally() shadowTally {
	return shadowTally{campaigns: map[string]*ShadowCampaign{}, maxSamples: defaultShadowSamples}
}

// add counts one comparison; sample makes its sample, called only when
// the reservoir takes it.
func (t *shadowTally) add(live, shadow *policies.Decision, sample func() ShadowSample) {
	t.compared++
	t.discountDelta += shadow.Discount + shadow.ShippingDiscount - live.Discount - live.ShippingDiscount
	for _, id := range appliedCampaigns(live) {
		t.campaign(id).AppliedLive++
	}
	for _, id := range appliedCampaigns(shadow) {
		t.campaign(id).AppliedShadow++
	}
	if sameOutcome(live, shadow) {
		return
	}
	t.differ++
	switch {
	case len(t.samples) < t.maxSamples:
		t.samples = append(t.samples, sample())
	default:
		if i := rand.N(t.differ); i < int64(t.maxSamples) {
			t.samples[i] = sample()
		}
	}
}

func (t *shadowTally) campaign(id string) *ShadowCampaign {
	c := t.campaigns[id]
	if c == nil {
		c = &ShadowCampaign{Campaign: id}
		t.campaigns[id] = c
	}
	return c
}

// sameOutcome reports whether two answers price the cart alike: the same
// sums, the same effects of the same campaigns with the same amounts, the
// same free items and points. Rejection reasons are not compared: a
// campaign the shadow drops is seen in what applied.
func sameOutcome(a, b *policies.Decision) bool {
	if a.Discount != b.Discount || a.ShippingDiscount != b.ShippingDiscount || a.Total != b.Total ||
		len(a.Applied) != len(b.Applied) || !slices.Equal(a.FreeItems, b.FreeItems) || !slices.Equal(a.Points, b.Points) {
		return false
	}
	for i := range a.Applied {
		x, y := &a.Applied[i], &b.Applied[i]
		if x.Campaign != y.Campaign || x.Reward != y.Reward || x.Effect != y.Effect || x.Amount != y.Amount {
			return false
		}
	}
	return true
}

// report is r's counts as ShadowReport.
func (r *shadowRun) report() ShadowReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := &r.tally
	out := ShadowReport{
		Revision: r.rev.ID, Source: r.source, Since: r.since, Compared: t.compared, Differ: t.differ,
		Dropped: r.dropped.Load(), Errors: t.errors, LastError: t.lastError, DiscountDelta: t.discountDelta,
		Campaigns: make([]ShadowCampaign, 0, len(t.campaigns)), Samples: slices.Clone(t.samples),
	}
	for _, c := range t.campaigns {
		out.Campaigns = append(out.Campaigns, *c)
	}
	slices.SortFunc(out.Campaigns, func(x, y ShadowCampaign) int { return strings.Compare(x.Campaign, y.Campaign) })
	slices.SortStableFunc(out.Samples, func(x, y ShadowSample) int { return x.At.Compare(y.At) })
	if out.Samples == nil {
		out.Samples = []ShadowSample{}
	}
	return out
}

// hashCustomer is the keyed hash of a customer id the decision log writes
// (HMAC-SHA256 truncated to 64 bits, hex); "" for an anonymous cart.
func (a *Activator) hashCustomer(id string) string {
	if id == "" {
		return ""
	}
	h := hmac.New(sha256.New, a.shadowKey)
	h.Write([]byte(id))
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:8])
}
