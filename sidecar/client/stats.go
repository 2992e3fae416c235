package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/promoedge/promoedge/sidecar/api"
)

// The statistics' answers (docs/experiments.md).
type (
	// CampaignStats is every campaign's counts per UTC day.
	CampaignStats = api.CampaignStats
	// CampaignDays is one campaign's days and their total.
	CampaignDays = api.CampaignDays
	// DayCounts are one campaign's counts of one day.
	DayCounts = api.DayCounts
	// Experiment is an experiment's current phase and its variants.
	Experiment = api.Experiment
	// VariantStats is one variant's counts.
	VariantStats = api.VariantStats
)

func statsPath(path string, days int) string {
	if days > 0 {
		path += "?days=" + strconv.Itoa(days)
	}
	return path
}

// CampaignStats is every campaign's counts for the last days UTC days,
// today's included (0: the sidecar's default of 30), summed across the
// fleet (admin).
func (c *Client) CampaignStats(ctx context.Context, days int) (*CampaignStats, error) {
	var out CampaignStats
	if err := c.call(ctx, http.MethodGet, statsPath("/v1/stats/campaigns", days), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CampaignDays is one campaign's counts for the last days UTC days (admin).
func (c *Client) CampaignDays(ctx context.Context, campaign string, days int) (*CampaignDays, error) {
	var out CampaignDays
	if err := c.call(ctx, http.MethodGet, statsPath("/v1/stats/campaigns/"+url.PathEscape(campaign), days), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Experiment is the current phase of campaign's experiment (admin).
func (c *Client) Experiment(ctx context.Context, campaign string) (*Experiment, error) {
	var out Experiment
	if err := c.call(ctx, http.MethodGet, "/v1/experiments/"+url.PathEscape(campaign), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
