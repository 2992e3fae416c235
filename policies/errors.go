package policies

import (
	"errors"
	"strings"

	"github.com/promoedge/promoedge/policies/internal/field"
)

// Sentinel errors that callers branch on.
var (
	// ErrNoRevision is returned while no bundle is active.
	ErrNoRevision = errors.New("no policy bundle is active")
	// ErrInvalidRequest wraps every problem with a request's content.
	ErrInvalidRequest = errors.New("invalid request")
	// ErrInvalidCampaign wraps every problem with a campaign document.
	ErrInvalidCampaign = errors.New("invalid campaign")
	// ErrUnknownCampaign is returned for a campaign id the revision lacks.
	ErrUnknownCampaign = errors.New("unknown campaign")
)

// Sentinel errors of generated codes.
var (
	// ErrUnknownCode: no generated code has that value.
	ErrUnknownCode = errors.New("unknown code")
	// ErrPatternTooSmall: the pattern cannot hold that many codes.
	ErrPatternTooSmall = errors.New("code pattern space too small")
	// ErrBadPattern: a pattern or prefix that cannot make codes.
	ErrBadPattern = errors.New("invalid code pattern")
)

// FieldError is one problem at one path of an input document; its Field is
// the path the caller should fix ("cart.items[0].quantity").
type FieldError = field.Error

// RequestError lists every problem found in a request.
type RequestError struct {
	Problems []*FieldError
}

func (e *RequestError) Error() string { return joinProblems("invalid request", e.Problems) }

// Unwrap lets errors.Is match ErrInvalidRequest.
func (e *RequestError) Unwrap() error { return ErrInvalidRequest }

// Field is the path of the first problem, for clients that show one.
func (e *RequestError) Field() string {
	if len(e.Problems) == 0 {
		return ""
	}
	return e.Problems[0].Field
}

// CampaignError lists every problem found in one campaign document.
type CampaignError struct {
	Campaign string
	File     string // the bundle file the document came from, when known
	Problems []*FieldError
}

func (e *CampaignError) Error() string {
	where := "campaign " + e.Campaign
	if e.File != "" {
		where += " (" + e.File + ")"
	}
	return joinProblems(where, e.Problems)
}

// Unwrap lets errors.Is match ErrInvalidCampaign.
func (e *CampaignError) Unwrap() error { return ErrInvalidCampaign }

func joinProblems(what string, ps []*FieldError) string {
	var b strings.Builder
	b.WriteString(what)
	for i, p := range ps {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(p.Error())
	}
	return b.String()
}
