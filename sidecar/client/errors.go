package client

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel errors that callers branch on with errors.Is. An *APIError is
// each of those its status or its code says.
var (
	// ErrBadRequest: the sidecar refused the request's content (400).
	ErrBadRequest = errors.New("bad request")
	// ErrUnauthorized: an admin call without the right token (401).
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: admin endpoints are off on this sidecar (403).
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: no such campaign, redemption or code (404).
	ErrNotFound = errors.New("not found")
	// ErrConflict: any 409; ErrIdempotencyConflict and ErrLimitRace say which.
	ErrConflict = errors.New("conflict")
	// ErrIdempotencyConflict: the idempotency key was used with another body.
	ErrIdempotencyConflict = errors.New("idempotency key reused with a different request")
	// ErrLimitRace: the redemption kept losing limit races; retry it.
	ErrLimitRace = errors.New("redemption lost a limit race")
	// ErrReservationExpired: the reservation passed its expiry (409).
	ErrReservationExpired = errors.New("reservation expired")
	// ErrReservationReleased: the reservation was released (409).
	ErrReservationReleased = errors.New("reservation released")
	// ErrReservationMismatch: committed with another customer or currency (409).
	ErrReservationMismatch = errors.New("reservation belongs to another customer or currency")
	// ErrTooLarge: the body is over the sidecar's limit (413).
	ErrTooLarge = errors.New("request body too large")
	// ErrUnavailable: no bundle is active yet, or the sidecar lacks what
	// the call needs (503).
	ErrUnavailable = errors.New("sidecar unavailable")
	// ErrTryAgain: another node of the fleet is settling what the call
	// asks (a referrer's code, an idempotency key): the same call
	// succeeds in a moment (503 try_again, Retry-After).
	ErrTryAgain = errors.New("being settled on another node; retry")
	// ErrIncomplete: a streamed answer (generated codes, the ledger) stopped
	// before its end: the sidecar failed midway (a *StreamError says why)
	// or the connection broke. What was delivered before is real: codes
	// delivered are committed.
	ErrIncomplete = errors.New("incomplete answer")
)

// byStatus and byCode are the sentinels an APIError matches.
var (
	byStatus = map[int]error{
		http.StatusBadRequest:            ErrBadRequest,
		http.StatusUnauthorized:          ErrUnauthorized,
		http.StatusForbidden:             ErrForbidden,
		http.StatusNotFound:              ErrNotFound,
		http.StatusConflict:              ErrConflict,
		http.StatusRequestEntityTooLarge: ErrTooLarge,
		http.StatusServiceUnavailable:    ErrUnavailable,
	}
	byCode = map[string]error{
		"idempotency_conflict": ErrIdempotencyConflict,
		"limit_race":           ErrLimitRace,
		"reservation_expired":  ErrReservationExpired,
		"reservation_released": ErrReservationReleased,
		"reservation_mismatch": ErrReservationMismatch,
		"try_again":            ErrTryAgain,
	}
)

// APIError is an error answer of the sidecar: its status and the error
// body, {"error": {"code", "message", "field", "details"}}.
type APIError struct {
	// Op is the call, e.g. "POST /v1/redemptions".
	Op     string
	Status int
	// Code is the sidecar's error code (invalid_request, not_found,
	// idempotency_conflict, ...); "" when the body was not the sidecar's.
	Code    string
	Message string
	// Field is the path of the first problem of a 400, e.g.
	// "cart.items[0].quantity"; Details lists every problem.
	Field   string
	Details []string
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("promoedge: %s: %d", e.Op, e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	return msg
}

// Is matches the sentinel of e's status and that of its code.
func (e *APIError) Is(target error) bool {
	return target != nil && (byStatus[e.Status] == target || byCode[e.Code] == target)
}

// StreamError is a failure the sidecar reported at the end of a streamed
// answer, after its 200 and part of the data were sent (the "#error: ..."
// line of docs/api.md#streamed-answers).
type StreamError struct {
	// Op is the call, e.g. "POST /v1/campaigns/vouchers/codes".
	Op      string
	Message string
	// Delivered is how many items (codes, ledger records) came before.
	Delivered int64
}

func (e *StreamError) Error() string {
	return fmt.Sprintf("promoedge: %s: failed after %d items: %s", e.Op, e.Delivered, e.Message)
}

// Is matches ErrIncomplete.
func (e *StreamError) Is(target error) bool { return target == ErrIncomplete }
