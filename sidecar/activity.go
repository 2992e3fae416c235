package sidecar

import "github.com/valyala/fasthttp"

// getActivity is GET /v1/activity: this node's last hour, per minute (see
// package activity), for the dashboard.
func (s *Server) getActivity(ctx *fasthttp.RequestCtx, _ []string) {
	writeJSON(ctx, fasthttp.StatusOK, s.activity.Snapshot())
}
