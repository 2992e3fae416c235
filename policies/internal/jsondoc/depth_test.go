package jsondoc

import (
	"strings"
	"testing"
)

func TestTooDeep(t *testing.T) {
	deep := func(n int, open, close string) string { return strings.Repeat(open, n) + strings.Repeat(close, n) }
	for _, tc := range []struct {
		body string
		want bool
	}{
		{deep(MaxDepth, "[", "]"), false},
		{deep(MaxDepth+1, "[", "]"), true},
		{deep(MaxDepth+1, `{"a":`, "}"), true},
		{`{"s": "` + strings.Repeat("[", 2*MaxDepth) + `"}`, false},                  // brackets in a string
		{`{"s": "\"` + strings.Repeat("[", 2*MaxDepth) + `"}`, false},                // after an escaped quote
		{`{"s": "\\"` + deep(MaxDepth, "[", "]") + `}`, true},                        // an escaped backslash ends nothing
		{`{"s": "` + strings.Repeat("]", 50) + `"` + deep(MaxDepth, "[", "]"), true}, // closers in strings do not count
	} {
		if got := TooDeep([]byte(tc.body)); got != tc.want {
			t.Errorf("TooDeep(%.40q...) = %v, want %v", tc.body, got, tc.want)
		}
	}
}
