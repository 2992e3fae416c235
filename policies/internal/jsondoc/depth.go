package jsondoc

// TooDeep reports whether body nests objects and arrays deeper than
// MaxDepth, reading it once and keeping nothing: a caller that decodes
// with encoding/json (which allows 10000 levels) checks it first, so that
// every decoding path holds the same bound. Brackets inside strings do not
// count; body need not be valid JSON.
func TooDeep(body []byte) bool {
	depth, inString := 0, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case inString && c == '\\':
			i++ // the escaped byte cannot end the string
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			if depth++; depth > MaxDepth {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}
