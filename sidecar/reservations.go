package sidecar

import (
	"context"
	"errors"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/api"
)

// Forwarder carries a reservation's commit, release or read to the node
// of a fleet that made it, which alone holds what it holds (SPEC §10,
// cluster/doc.go "Reservations"); nil: a lone sidecar.
type Forwarder interface {
	// Forward runs op ("commit", "release" or "get") with body on
	// reservation id at node, and returns that node's HTTP answer.
	Forward(ctx context.Context, node, op, id string, body []byte) (status int, answer []byte, err error)
	// Handle sets what runs, here, the requests other nodes forward
	// (New hands it ServeReservation).
	Handle(h func(ctx context.Context, op, id string, body []byte) (status int, answer []byte))
}

// Operations a Forwarder carries.
const (
	OpCommit  = "commit"
	OpRelease = "release"
	OpGet     = "get"
)

// reserve is POST /v1/reservations: a redeem body with ttl_seconds.
func (s *Server) reserve(ctx *fasthttp.RequestCtx, _ []string) {
	if !s.jsonBody(ctx) {
		return
	}
	var ttl time.Duration
	rr, ok := s.redeemRequest(ctx, true, func(input map[string]any) []*policies.FieldError {
		var err error
		ttl, err = policies.TTLSeconds(input)
		var re *policies.RequestError
		if errors.As(err, &re) {
			return re.Problems
		}
		return nil
	})
	if !ok {
		return
	}
	rc, err := s.engine.Reserve(ctx, rr, ttl)
	if err != nil {
		fail(ctx, err)
		return
	}
	if rc.Replayed {
		ctx.Response.Header.Set(replayHeader, "true")
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("application/json")
	ctx.SetBody(rc.Response)
}

// commitReservation is POST /v1/redemptions with reservation_id; rr is
// the redeem request already read.
func (s *Server) commitReservation(ctx *fasthttp.RequestCtx, rr *policies.RedeemRequest) (*policies.Receipt, bool) {
	id, ok := rr.Input["reservation_id"].(string)
	if !ok || id == "" || len(id) > 4*maxKeyLen { // a node name, hex-encoded, is in it
		fail(ctx, &policies.RequestError{Problems: []*policies.FieldError{{Field: "reservation_id", Message: "a reservation id, as POST /v1/reservations answered"}}})
		return nil, false
	}
	rc, err := s.engine.CommitReservation(ctx, id, rr)
	if s.forwarded(ctx, err, OpCommit, id) {
		return nil, false
	}
	if err != nil {
		fail(ctx, err)
		return nil, false
	}
	return rc, true
}

func (s *Server) getReservation(ctx *fasthttp.RequestCtx, params []string) {
	r, err := s.engine.Reservation(ctx, params[0])
	if s.forwarded(ctx, err, OpGet, params[0]) {
		return
	}
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, reservationOf(r))
}

func (s *Server) releaseReservation(ctx *fasthttp.RequestCtx, params []string) {
	r, err := s.engine.ReleaseReservation(ctx, params[0])
	if s.forwarded(ctx, err, OpRelease, params[0]) {
		return
	}
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, reservationOf(r))
}

// forwarded answers a request for a reservation another node made with
// that node's answer, and reports whether it did. A forwarded request is
// never forwarded again.
func (s *Server) forwarded(ctx *fasthttp.RequestCtx, err error, op, id string) bool {
	var ee *policies.ElsewhereError
	if !errors.As(err, &ee) || s.forwarder == nil || ctx.UserValue(forwardedKey{}) != nil {
		return false
	}
	status, answer, ferr := s.forwarder.Forward(ctx, ee.Node, op, id, ctx.PostBody())
	if ferr != nil {
		writeError(ctx, fasthttp.StatusServiceUnavailable, errorBody{Code: "reservation_unreachable", Message: ferr.Error()})
		return true
	}
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(answer)
	return true
}

// forwardedKey marks a request a Forwarder brought from another node.
type forwardedKey struct{}

// ServeReservation runs a request a Forwarder brought from another node
// on this one, as the HTTP handler would, and returns its answer.
func (s *Server) ServeReservation(ctx context.Context, op, id string, body []byte) (int, []byte) {
	var rc fasthttp.RequestCtx
	rc.Init(&fasthttp.Request{}, nil, nil)
	rc.SetUserValue(forwardedKey{}, true)
	rc.Request.Header.SetContentType("application/json")
	rc.Request.SetBody(body)
	switch op {
	case OpCommit:
		rc.Request.Header.SetMethod(fasthttp.MethodPost)
		s.redeem(&rc, nil)
	case OpRelease:
		s.releaseReservation(&rc, []string{id})
	case OpGet:
		s.getReservation(&rc, []string{id})
	default:
		writeError(&rc, fasthttp.StatusBadRequest, errorBody{Code: codeInvalid, Message: "unknown reservation operation " + op})
	}
	_ = ctx // the forwarded request runs to its end, as one sent here would
	return rc.Response.StatusCode(), append([]byte(nil), rc.Response.Body()...)
}

func reservationOf(r *policies.Redemption) api.Reservation {
	out := api.Reservation{ID: r.ID, Status: r.Status, OrderID: r.OrderID, CustomerID: r.CustomerID, CreatedAt: r.CreatedAt,
		RedemptionID: r.CommittedAs, ReleasedAt: r.ReleasedAt, Currency: r.Currency, Campaigns: r.Campaigns, Discount: r.Discount, Total: r.Total}
	if r.ExpiresAt != nil {
		out.ExpiresAt = *r.ExpiresAt
	}
	return out
}
