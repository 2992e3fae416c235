package sidecar

import (
	"fmt"
	"strconv"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/stats"
	"github.com/promoedge/promoedge/sidecar/api"
)

// Statistics days: 30 by default, a year at most.
const (
	defaultStatsDays = 30
	maxStatsDays     = 366
)

// statsReady answers 503 when there is no stats keeper, and flushes the
// counts gained so far so that an answer includes them.
func (s *Server) statsReady(ctx *fasthttp.RequestCtx) bool {
	if s.stats == nil {
		writeError(ctx, fasthttp.StatusServiceUnavailable, errorBody{Code: "no_store", Message: "this sidecar has no store to keep statistics in"})
		return false
	}
	if err := s.flushStats(ctx); err != nil {
		fail(ctx, fmt.Errorf("flushing statistics: %w", err))
		return false
	}
	return true
}

// statsRange reads ?days= (1 to maxStatsDays): the days up to today (UTC).
func (s *Server) statsRange(ctx *fasthttp.RequestCtx) (from, to stats.Day, ok bool) {
	days := defaultStatsDays
	if raw := ctx.QueryArgs().Peek("days"); raw != nil {
		n, err := strconv.Atoi(string(raw))
		if err != nil || n < 1 || n > maxStatsDays {
			writeError(ctx, fasthttp.StatusBadRequest, errorBody{Code: codeInvalid, Field: "days",
				Message: fmt.Sprintf("days must be a whole number from 1 to %d, got %q", maxStatsDays, raw)})
			return 0, 0, false
		}
		days = n
	}
	to = stats.DayOf(s.engine.Now())
	return to - stats.Day(days-1), to, true
}

func (s *Server) getCampaignStats(ctx *fasthttp.RequestCtx, _ []string) {
	from, to, ok := s.statsRange(ctx)
	if !ok || !s.statsReady(ctx) {
		return
	}
	rows, err := s.stats.Days(ctx, "", from, to)
	if err != nil {
		fail(ctx, err)
		return
	}
	out := api.CampaignStats{From: from.String(), To: to.String(), Campaigns: []api.CampaignDays{}}
	byID := groupRows(rows)
	var ids []string
	if rev := s.engine.Revision(); rev != nil {
		for _, c := range rev.Campaigns() {
			ids = append(ids, c.ID)
		}
	}
	listed := map[string]bool{}
	for _, id := range ids {
		listed[id] = true
	}
	for _, r := range rows { // campaigns the bundle dropped, with counts in the range
		if !listed[r.Campaign] {
			listed[r.Campaign] = true
			ids = append(ids, r.Campaign)
		}
	}
	for _, id := range ids {
		out.Campaigns = append(out.Campaigns, s.campaignDays(id, byID[id], from, to))
	}
	writeJSON(ctx, fasthttp.StatusOK, out)
}

func (s *Server) getOneCampaignStats(ctx *fasthttp.RequestCtx, params []string) {
	from, to, ok := s.statsRange(ctx)
	if !ok || !s.statsReady(ctx) {
		return
	}
	id := params[0]
	rows, err := s.stats.Days(ctx, id, from, to)
	if err != nil {
		fail(ctx, err)
		return
	}
	if len(rows) == 0 {
		if _, err := s.campaign(id); err != nil {
			fail(ctx, err) // unknown, and nothing counted
			return
		}
	}
	writeJSON(ctx, fasthttp.StatusOK, s.campaignDays(id, rows, from, to))
}

func groupRows(rows []stats.Row) map[string][]stats.Row {
	out := map[string][]stats.Row{}
	for _, r := range rows {
		out[r.Campaign] = append(out[r.Campaign], r)
	}
	return out
}

// campaignDays is one campaign's days, zeros included, and their total.
func (s *Server) campaignDays(id string, rows []stats.Row, from, to stats.Day) api.CampaignDays {
	out := api.CampaignDays{Campaign: id, Name: id, Days: make([]api.DayCounts, 0, int(to-from)+1),
		Total: api.DayCounts{Rejections: map[string]int64{}}}
	if rev := s.engine.Revision(); rev != nil {
		if c, err := rev.Campaign(id); err == nil {
			out.Name = c.Name
			out.Limits = api.StatsLimits{Redemptions: c.Limits.Redemptions, Budget: c.Limits.Budget}
		}
	}
	byDay := map[stats.Day]*stats.Row{}
	for i := range rows {
		byDay[rows[i].Day] = &rows[i]
	}
	for d := from; d <= to; d++ {
		dc := api.DayCounts{Date: d.String(), Rejections: map[string]int64{}}
		if r, ok := byDay[d]; ok {
			dc = dayCounts(d, &r.Counts)
		}
		addDay(&out.Total, &dc)
		out.Days = append(out.Days, dc)
	}
	return out
}

func dayCounts(d stats.Day, c *stats.Counts) api.DayCounts {
	out := api.DayCounts{Date: d.String(), Applied: c.Applied, Redemptions: c.Redemptions, Discount: c.Discount,
		Revenue: c.Revenue, BudgetUsed: c.Discount - c.RolledBackDiscount, LimitUsed: c.Redemptions - c.RolledBack,
		RolledBack: c.RolledBack, Rejections: map[string]int64{}}
	for r, n := range c.Rejections {
		out.Rejections[r] = n
	}
	return out
}

func addDay(t, d *api.DayCounts) {
	t.Applied += d.Applied
	t.Redemptions += d.Redemptions
	t.Discount += d.Discount
	t.Revenue += d.Revenue
	t.BudgetUsed += d.BudgetUsed
	t.LimitUsed += d.LimitUsed
	t.RolledBack += d.RolledBack
	for r, n := range d.Rejections {
		t.Rejections[r] += n
	}
}

// getExperiment is GET /v1/experiments/{campaign}: the active bundle's
// phase of the campaign's experiment, its variants' counts summed across
// the fleet, and the tests they are read with (SPEC §11).
func (s *Server) getExperiment(ctx *fasthttp.RequestCtx, params []string) {
	c, err := s.campaign(params[0])
	if err != nil {
		fail(ctx, err)
		return
	}
	if c.Variants == nil {
		writeError(ctx, fasthttp.StatusNotFound, errorBody{Code: codeNotFound, Message: fmt.Sprintf("campaign %q is not an experiment: it has no variants", c.ID)})
		return
	}
	if !s.statsReady(ctx) {
		return
	}
	rows, err := s.stats.Variants(ctx, c.ID, c.Phase)
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, experimentView(c, rows))
}

// experimentView reads an experiment's rows: a variant with no row has
// counted nothing yet.
func experimentView(c *policies.Campaign, rows []stats.Row) api.Experiment {
	byName := map[string]*stats.Row{}
	for i := range rows {
		byName[rows[i].Variant] = &rows[i]
	}
	out := api.Experiment{Campaign: c.ID, Phase: c.Phase, Variants: make([]api.VariantStats, 0, len(c.Variants)), CustomersExact: true}
	var started int64
	customers := make([]int64, len(c.Variants))
	weights := make([]float64, len(c.Variants))
	for i, v := range c.Variants {
		vs := api.VariantStats{Name: v.Name, Weight: v.Weight, Holdout: v.Holdout}
		if r, ok := byName[v.Name]; ok {
			k := &r.Counts
			vs.Customers = stats.Distinct(k.Customers, k.CustomerSketch, r.Nodes)
			vs.Redeemers = stats.Distinct(k.Redeemers, k.RedeemerSketch, r.Nodes)
			out.CustomersExact = out.CustomersExact && r.Nodes <= 1
			vs.Exposures = k.Exposures
			vs.Redemptions = k.Redemptions - k.RolledBack
			vs.Discount = k.Discount - k.RolledBackDiscount
			vs.Revenue = k.Revenue - k.RolledBackRevenue
			if k.Started != 0 && (started == 0 || k.Started < started) {
				started = k.Started
			}
		}
		if vs.Customers > 0 {
			vs.Conversion = float64(min(vs.Redeemers, vs.Customers)) / float64(vs.Customers)
		}
		if vs.Redemptions > 0 {
			vs.AverageOrder = vs.Revenue / vs.Redemptions
		}
		customers[i], weights[i] = vs.Customers, float64(v.Weight)
		out.Variants = append(out.Variants, vs)
	}
	if started != 0 {
		out.PhaseStartedAt = (&stats.Counts{Started: started}).StartedAt().Format("2006-01-02T15:04:05.000Z07:00")
	}
	out.SampleRatioPValue = stats.SampleRatioPValue(customers, weights)
	out.SampleRatioMismatch = out.SampleRatioPValue < stats.MismatchP
	base := out.Variants[0]
	for i := 1; i < len(out.Variants); i++ {
		v := &out.Variants[i]
		if lo, hi, ok := stats.ConversionDiffCI(min(base.Redeemers, base.Customers), base.Customers, min(v.Redeemers, v.Customers), v.Customers); ok {
			v.ConversionDiffCI = &[2]float64{lo, hi}
		}
	}
	return out
}
