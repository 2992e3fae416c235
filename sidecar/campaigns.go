package sidecar

import (
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
)

// campaignView is a campaign as GET /v1/campaigns shows it.
type campaignView struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Status      string            `json:"status"` // active, disabled, not_started, expired
	Enabled     bool              `json:"enabled"`
	Priority    int64             `json:"priority"`
	Stacking    policies.Stacking `json:"stacking"`
	Code        string            `json:"code,omitempty"`
	UniqueCodes bool              `json:"unique_codes,omitempty"`
	ValidFrom   *time.Time        `json:"valid_from,omitempty"`
	ValidUntil  *time.Time        `json:"valid_until,omitempty"`
	Timezone    string            `json:"timezone"`
	Currency    string            `json:"currency,omitempty"`
	Rule        string            `json:"rule,omitempty"`
	Wasm        string            `json:"wasm,omitempty"`
	Limits      limitsView        `json:"limits"`
	Usage       *usageView        `json:"usage,omitempty"`
	Effects     any               `json:"effects"`
}

// usageView is the live use of a campaign's limits on this node.
type usageView struct {
	Redemptions     int64  `json:"redemptions"`
	Spent           int64  `json:"budget_spent"`
	RedemptionsLeft *int64 `json:"redemptions_left,omitempty"`
	BudgetLeft      *int64 `json:"budget_left,omitempty"`
}

func usageOf(c *policies.Campaign, u policies.Used) *usageView {
	v := &usageView{Redemptions: u.Redemptions, Spent: u.Spent}
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

type limitsView struct {
	Redemptions int64 `json:"redemptions,omitempty"`
	PerCustomer int64 `json:"per_customer,omitempty"`
	Budget      int64 `json:"budget,omitempty"`
}

func viewOf(c *policies.Campaign, now time.Time) campaignView {
	v := campaignView{
		ID: c.ID, Name: c.Name, Status: string(c.Status(now)), Enabled: c.Enabled, Priority: c.Priority,
		Stacking: c.Stacking, Code: c.Code, UniqueCodes: c.UniqueCodes, Timezone: c.Timezone.String(),
		Currency: c.Currency, Rule: c.Rule, Wasm: c.Wasm,
		Limits:  limitsView(c.Limits),
		Effects: c.Doc["effects"],
	}
	if v.Status == "" {
		v.Status = "active"
	}
	if !c.ValidFrom.IsZero() {
		t := c.ValidFrom.UTC()
		v.ValidFrom = &t
	}
	if !c.ValidUntil.IsZero() {
		t := c.ValidUntil.UTC()
		v.ValidUntil = &t
	}
	if v.Effects == nil {
		v.Effects = []any{}
	}
	return v
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
func (s *Server) viewWithUsage(ctx *fasthttp.RequestCtx, c *policies.Campaign, now time.Time) (campaignView, error) {
	v := s.view(c, now)
	if s.state == nil {
		return v, nil
	}
	u, err := s.state.Used(ctx, c.ID, "")
	if err != nil {
		return v, err
	}
	v.Usage = usageOf(c, u)
	return v, nil
}

func (s *Server) listCampaigns(ctx *fasthttp.RequestCtx, _ []string) {
	rev := s.engine.Revision()
	if rev == nil {
		fail(ctx, policies.ErrNoRevision)
		return
	}
	now := s.engine.Now()
	out := make([]campaignView, 0, len(rev.Campaigns()))
	for _, c := range rev.Campaigns() {
		v, err := s.viewWithUsage(ctx, c, now)
		if err != nil {
			fail(ctx, err)
			return
		}
		out = append(out, v)
	}
	writeJSON(ctx, fasthttp.StatusOK, map[string]any{"bundle_revision": rev.ID, "campaigns": out})
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
