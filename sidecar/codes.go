package sidecar

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
)

// generateCodes answers {"campaign", "count", "codes": [...]}, streamed as
// each batch commits, so a million codes never sit in memory at once.
func (s *Server) generateCodes(ctx *fasthttp.RequestCtx, params []string) {
	if s.state == nil {
		fail(ctx, policies.ErrNoStore)
		return
	}
	c, err := s.campaign(params[0])
	if err != nil {
		fail(ctx, err)
		return
	}
	if c.Referral != nil {
		fail(ctx, &policies.RequestError{Problems: []*policies.FieldError{{Field: "campaign",
			Message: fmt.Sprintf("campaign %s is a referral programme: its codes are the referrers', from POST /v1/referrals", c.ID)}}})
		return
	}
	if !c.UniqueCodes {
		fail(ctx, &policies.RequestError{Problems: []*policies.FieldError{{Field: "campaign",
			Message: fmt.Sprintf("campaign %s does not use generated codes (its document needs unique_codes: true)", c.ID)}}})
		return
	}
	if !s.jsonBody(ctx) {
		return
	}
	var spec policies.CodeSpec
	if err := json.Unmarshal(ctx.PostBody(), &spec); err != nil {
		fail(ctx, &policies.RequestError{Problems: []*policies.FieldError{{Message: "body must be {\"count\", \"pattern\", \"prefix\", \"postfix\"}: " + err.Error()}}})
		return
	}
	if err := spec.Validate(); err != nil {
		fail(ctx, err)
		return
	}
	if spec.Card, err = c.Terms(spec.Amount, spec.Currency); err != nil {
		fail(ctx, err)
		return
	}
	if err := s.state.CheckCodes(spec); err != nil {
		fail(ctx, err)
		return
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType("application/json")
	id := c.ID
	ctx.SetBodyStreamWriter(func(w *bufio.Writer) {
		fmt.Fprintf(w, `{"campaign":%s,"count":%d,"codes":[`, strconv.Quote(id), spec.Count)
		first := true
		err := s.state.Generate(context.Background(), id, spec, func(batch []string) error {
			for _, code := range batch {
				if !first {
					w.WriteByte(',')
				}
				first = false
				w.WriteString(strconv.Quote(code))
			}
			return w.Flush()
		})
		w.WriteString("]}\n")
		if err != nil {
			w.WriteString("#error: " + err.Error() + "\n")
		}
		w.Flush()
	})
}

func (s *Server) getCode(ctx *fasthttp.RequestCtx, params []string) {
	if s.state == nil {
		fail(ctx, policies.ErrNoStore)
		return
	}
	c, err := s.state.Code(ctx, params[0])
	if err != nil {
		fail(ctx, err)
		return
	}
	card, err := s.engine.GiftCardView(ctx, c.Code)
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, codeView{Code: c, CardView: card})
}

// codeView is a code, with its balance and ledger when it is a gift card.
type codeView struct {
	*policies.Code
	*policies.CardView
}

// changeBalance answers POST /v1/codes/{code}/balance (SPEC §8): the
// ledger entry of the top-up or removal.
func (s *Server) changeBalance(ctx *fasthttp.RequestCtx, params []string) {
	var b policies.BalanceChange
	if !s.decodeBody(ctx, &b, `{"amount", "idempotency_key"}`) {
		return
	}
	b.Code = params[0]
	t, err := s.engine.ChangeBalance(ctx, &b)
	if err != nil {
		fail(ctx, err)
		return
	}
	writeJSON(ctx, fasthttp.StatusOK, t)
}
