package sidecar

import (
	"encoding/json"
	"errors"

	"github.com/valyala/fasthttp"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/sidecar/api"
)

// The body of every error response (docs/api.md#errors), as sidecar/api defines it
// for the client too.
type (
	apiError  = api.Error
	errorBody = api.ErrorBody
)

// Error codes.
const (
	codeInvalid     = "invalid_request"
	codeNotFound    = "not_found"
	codeMethod      = "method_not_allowed"
	codeTooLarge    = "body_too_large"
	codeNotReady    = "not_ready"
	codeInternal    = "internal"
	codeUnsupported = "unsupported_media_type"
)

// fail writes err with the status its kind calls for.
func fail(ctx *fasthttp.RequestCtx, err error) {
	var re *policies.RequestError
	switch {
	case errors.As(err, &re):
		details := make([]string, 0, len(re.Problems))
		for _, p := range re.Problems {
			details = append(details, p.Error())
		}
		writeError(ctx, fasthttp.StatusBadRequest, errorBody{Code: codeInvalid, Message: re.Error(), Field: re.Field(), Details: details})
	case errors.Is(err, policies.ErrBadAmount), errors.Is(err, policies.ErrNotGiftCard):
		writeError(ctx, fasthttp.StatusBadRequest, errorBody{Code: codeInvalid, Message: err.Error(), Field: "amount"})
	case errors.Is(err, policies.ErrBalanceBelowZero):
		writeError(ctx, fasthttp.StatusConflict, errorBody{Code: "balance_below_zero", Message: err.Error(), Field: "amount"})
	case errors.Is(err, policies.ErrBadPattern), errors.Is(err, policies.ErrPatternTooSmall):
		writeError(ctx, fasthttp.StatusBadRequest, errorBody{Code: codeInvalid, Message: err.Error(), Field: "pattern"})
	case errors.Is(err, policies.ErrIdempotencyConflict):
		writeError(ctx, fasthttp.StatusConflict, errorBody{Code: "idempotency_conflict", Message: err.Error(), Field: "idempotency_key"})
	case errors.Is(err, policies.ErrTryAgain):
		ctx.Response.Header.Set("Retry-After", "1")
		writeError(ctx, fasthttp.StatusServiceUnavailable, errorBody{Code: "try_again", Message: err.Error()})
	case errors.Is(err, policies.ErrLimitRace):
		writeError(ctx, fasthttp.StatusConflict, errorBody{Code: "limit_race", Message: err.Error()})
	case errors.Is(err, policies.ErrReservationExpired):
		writeError(ctx, fasthttp.StatusConflict, errorBody{Code: "reservation_expired", Message: err.Error(), Field: "reservation_id"})
	case errors.Is(err, policies.ErrReservationReleased):
		writeError(ctx, fasthttp.StatusConflict, errorBody{Code: "reservation_released", Message: err.Error(), Field: "reservation_id"})
	case errors.Is(err, policies.ErrReservationMismatch):
		writeError(ctx, fasthttp.StatusConflict, errorBody{Code: "reservation_mismatch", Message: err.Error(), Field: "reservation_id"})
	case errors.Is(err, policies.ErrNoReservations):
		writeError(ctx, fasthttp.StatusServiceUnavailable, errorBody{Code: "no_store", Message: err.Error()})
	case errors.Is(err, policies.ErrUnknownRedemption), errors.Is(err, policies.ErrUnknownCode), errors.Is(err, policies.ErrUnknownReservation), errors.Is(err, policies.ErrUnknownEvent):
		writeError(ctx, fasthttp.StatusNotFound, errorBody{Code: codeNotFound, Message: err.Error()})
	case errors.Is(err, policies.ErrInsufficientPoints), errors.Is(err, policies.ErrOutOfStock):
		writeError(ctx, fasthttp.StatusConflict, errorBody{Code: walletCode(err), Message: err.Error()})
	case errors.Is(err, policies.ErrUnknownReward):
		writeError(ctx, fasthttp.StatusNotFound, errorBody{Code: "reward_unknown", Message: err.Error(), Field: "reward"})
	case errors.Is(err, policies.ErrCheckoutReward):
		writeError(ctx, fasthttp.StatusBadRequest, errorBody{Code: codeInvalid, Message: err.Error(), Field: "reward"})
	case errors.Is(err, policies.ErrNoStore):
		writeError(ctx, fasthttp.StatusServiceUnavailable, errorBody{Code: "no_store", Message: err.Error()})
	case errors.Is(err, policies.ErrNoRevision):
		writeError(ctx, fasthttp.StatusServiceUnavailable, errorBody{Code: codeNotReady, Message: err.Error()})
	case errors.Is(err, policies.ErrUnknownCampaign):
		writeError(ctx, fasthttp.StatusNotFound, errorBody{Code: codeNotFound, Message: err.Error()})
	default:
		writeError(ctx, fasthttp.StatusInternalServerError, errorBody{Code: codeInternal, Message: err.Error()})
	}
}

func writeError(ctx *fasthttp.RequestCtx, status int, body errorBody) {
	writeJSON(ctx, status, apiError{Error: body})
}

func writeJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	enc := json.NewEncoder(ctx)
	if err := enc.Encode(v); err != nil {
		ctx.ResetBody()
		ctx.SetStatusCode(fasthttp.StatusInternalServerError)
		ctx.SetBodyString(`{"error":{"code":"internal","message":"encoding the response failed"}}`)
	}
}

// walletCode is the error code of a wallet that cannot pay.
func walletCode(err error) string {
	if errors.Is(err, policies.ErrOutOfStock) {
		return "out_of_stock"
	}
	return "insufficient_points"
}
