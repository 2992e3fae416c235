package bundle

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidBundle is wrapped by every refusal of a bundle's content.
var ErrInvalidBundle = errors.New("invalid bundle")

// Problem is one thing wrong with a bundle.
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// LoadError lists every problem that made a bundle be refused.
type LoadError struct {
	Source   string
	Problems []Problem
	// Err is what callers may branch on beyond ErrInvalidBundle (e.g.
	// ErrTooLarge); nil for problems of content.
	Err error
}

func (e *LoadError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return fmt.Sprintf("bundle %s refused (%d problems): %s", e.Source, len(e.Problems), strings.Join(parts, "; "))
}

// Unwrap lets errors.Is match ErrInvalidBundle, and Err when set.
func (e *LoadError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrInvalidBundle, e.Err}
	}
	return []error{ErrInvalidBundle}
}
