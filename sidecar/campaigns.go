package sidecar

import (
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/api"
)

// usageOf is the live use of c's limits.
func usageOf(c *policies.Campaign, u policies.Used) *api.Usage {
	v := &api.Usage{Redemptions: u.Redemptions, BudgetSpent: u.Spent}
	if l := c.Limits.Redemptions; l > 0 {
		left := max(0, l-u.Redemptions)
		v.RedemptionsLeft = &left
	}
	if b := c.Limits.Budget; b > 0 {
		left := max(0, b-u.Spent)
		v.BudgetLeft = &left
	}
	return v
}

// viewOf is c as GET /v1/campaigns shows it.
func viewOf(c *policies.Campaign, now time.Time) api.Campaign {
	v := api.Campaign{
		ID: c.ID, Name: c.Name, Status: string(c.Status(now)), Enabled: c.Enabled, Priority: c.Priority,
		Stacking: c.Stacking, Code: c.Code, UniqueCodes: c.UniqueCodes, Timezone: c.Timezone.String(),
		Currency: c.Currency, Rule: c.Rule, Wasm: c.Wasm,
		Limits: api.LimitsOf(c.Limits), Group: c.Group,
		Effects: effectsOf(c.Doc["effects"]),
	}
	if v.Status == "" {
		v.Status = "active"
	}
	if c.Variants != nil {
		v.Phase = c.Phase
		docs, _ := c.Doc["variants"].([]any)
		for i, vr := range c.Variants {
			av := api.Variant{Name: vr.Name, Weight: vr.Weight, Holdout: vr.Holdout}
			if i < len(docs) {
				d, _ := docs[i].(map[string]any)
				if es := effectsOf(d["effects"]); len(es) > 0 {
					av.Effects = es
				}
			}
			v.Variants = append(v.Variants, av)
		}
	}
	if !c.ValidFrom.IsZero() {
		t := c.ValidFrom.UTC()
		v.ValidFrom = &t
	}
	if !c.ValidUntil.IsZero() {
		t := c.ValidUntil.UTC()
		v.ValidUntil = &t
	}
	return v
}

// effectsOf is the effects of a campaign document (a list of objects, as
// the campaign was validated) as the wire type holds them; never nil.
func effectsOf(doc any) []map[string]any {
	list, _ := doc.([]any)
	out := make([]map[string]any, len(list))
	for i, e := range list {
		out[i], _ = e.(map[string]any)
	}
	return out
}

// campaign finds id in the active revision.
func (s *Server) campaign(id string) (*policies.Campaign, error) {
	rev := s.engine.Revision()
	if rev == nil {
		return nil, policies.ErrNoRevision
	}
	return rev.Campaign(id)
}

// viewWithUsage is c's view with its live usage, when there is a store.
func (s *Server) viewWithUsage(ctx *fasthttp.RequestCtx, c *policies.Campaign, now time.Time) (api.Campaign, error) {
	v := s.view(c, now)
	if s.state == nil {
		return v, nil
	}
	pu, periods := s.state.(policies.PeriodUsage)
	if !periods || !c.Limits.PerPeriod.Set() {
		u, err := s.state.Used(ctx, c.ID, "")
		if err != nil {
			return v, err
		}
		v.Usage = usageOf(c, u)
		return v, nil
	}
	p := c.PeriodAt(now)
	u, err := pu.UsedIn(ctx, c.ID, p.Key(), "")
	if err != nil {
		return v, err
	}
	v.Usage = usageOf(c, u)
	v.Usage.Period = periodUsageOf(c.Limits.PerPeriod, p, u)
	return v, nil
}

// periodUsageOf is the live use of the per-period limits l in period p.
func periodUsageOf(l policies.PeriodLimits, p policies.Period, u policies.Used) *api.PeriodUsage {
	v := &api.PeriodUsage{Period: l.Kind, Start: p.Start.UTC(), End: p.End.UTC(), Redemptions: u.PeriodRedemptions, BudgetSpent: u.PeriodSpent}
	if l.Redemptions > 0 {
		left := max(0, l.Redemptions-u.PeriodRedemptions)
		v.RedemptionsLeft = &left
	}
	if l.Budget > 0 {
		left := max(0, l.Budget-u.PeriodSpent)
		v.BudgetLeft = &left
	}
	return v
}

func (s *Server) listCampaigns(ctx *fasthttp.RequestCtx, _ []string) {
	rev := s.engine.Revision()
	if rev == nil {
		fail(ctx, policies.ErrNoRevision)
		return
	}
	now := s.engine.Now()
	out := api.Campaigns{BundleRevision: rev.ID, Campaigns: make([]api.Campaign, 0, len(rev.Campaigns()))}
	for _, c := range rev.Campaigns() {
		v, err := s.viewWithUsage(ctx, c, now)
		if err != nil {
			fail(ctx, err)
			return
		}
		out.Campaigns = append(out.Campaigns, v)
	}
	writeJSON(ctx, fasthttp.StatusOK, out)
}

func (s *Server) getCampaign(ctx *fasthttp.RequestCtx, params []string) {
	c, err := s.campaign(params[0])
	if err != nil {
		fail(ctx, err)
		return
	}
	v, err := s.viewWithUsage(ctx, c, s.engine.Now())
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, v)
}
