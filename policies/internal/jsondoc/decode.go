package jsondoc

import (
	"encoding/json"
	"sync"
	"unicode/utf8"
)

// MaxDepth bounds nesting: the top object is level 1 (encoding/json
// allows 10000 levels; see TooDeep).
const MaxDepth = 1000

// Decode returns the object body holds, and false when body is not a plain
// JSON object that it decodes exactly as encoding/json would (see the
// package caveats): then the caller decodes with encoding/json.
func Decode(body []byte) (map[string]any, bool) {
	d := decoder{buf: body, text: string(body), stack: stacks.Get().(*[]any)}
	defer d.release()
	d.space()
	if d.pos >= len(d.buf) || d.buf[d.pos] != '{' {
		return nil, false
	}
	v, ok := d.object(0)
	if !ok {
		return nil, false
	}
	d.space()
	return v, d.pos == len(d.buf)
}

type decoder struct {
	buf   []byte
	text  string // buf as a string: strings and numbers are cut from it
	pos   int
	stack *[]any // the elements of the arrays being read, innermost last
}

// stacks pools the decoders' element stacks: an array's elements gather
// there and are copied once into a slice of their number, instead of
// the slice growing (and copying) as they come.
var stacks = sync.Pool{New: func() any { return new([]any) }}

func (d *decoder) release() {
	st := *d.stack
	if cap(st) > 1<<12 {
		return
	}
	clear(st[:cap(st)])
	*d.stack = st[:0]
	stacks.Put(d.stack)
}

func (d *decoder) space() {
	for d.pos < len(d.buf) {
		switch d.buf[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (any, bool) {
	if d.pos >= len(d.buf) {
		return nil, false
	}
	switch c := d.buf[d.pos]; {
	case c == '{':
		if depth+1 >= MaxDepth { // the value would be level depth+2
			return nil, false
		}
		return d.object(depth + 1)
	case c == '[':
		if depth+1 >= MaxDepth { // the value would be level depth+2
			return nil, false
		}
		return d.array(depth + 1)
	case c == '"':
		return d.string()
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	}
	return nil, false
}

func (d *decoder) literal(word string) bool {
	if len(d.buf)-d.pos < len(word) || string(d.buf[d.pos:d.pos+len(word)]) != word {
		return false
	}
	d.pos += len(word)
	return true
}

// object reads {...}; d.buf[d.pos] is '{'.
func (d *decoder) object(depth int) (map[string]any, bool) {
	d.pos++
	m := make(map[string]any, 8)
	d.space()
	if d.pos < len(d.buf) && d.buf[d.pos] == '}' {
		d.pos++
		return m, true
	}
	for {
		if d.pos >= len(d.buf) || d.buf[d.pos] != '"' {
			return nil, false
		}
		k, ok := d.string()
		if !ok {
			return nil, false
		}
		d.space()
		if d.pos >= len(d.buf) || d.buf[d.pos] != ':' {
			return nil, false
		}
		d.pos++
		d.space()
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		m[k] = v
		d.space()
		if d.pos >= len(d.buf) {
			return nil, false
		}
		switch d.buf[d.pos] {
		case ',':
			d.pos++
			d.space()
		case '}':
			d.pos++
			return m, true
		default:
			return nil, false
		}
	}
}

// array reads [...]; d.buf[d.pos] is '['.
func (d *decoder) array(depth int) ([]any, bool) {
	d.pos++
	d.space()
	if d.pos < len(d.buf) && d.buf[d.pos] == ']' {
		d.pos++
		return []any{}, true
	}
	mark := len(*d.stack)
	for {
		v, ok := d.value(depth)
		if !ok {
			return nil, false
		}
		*d.stack = append(*d.stack, v)
		d.space()
		if d.pos >= len(d.buf) {
			return nil, false
		}
		switch d.buf[d.pos] {
		case ',':
			d.pos++
			d.space()
		case ']':
			d.pos++
			return d.pop(mark), true
		default:
			return nil, false
		}
	}
}

// pop returns the elements above mark as a slice of their own.
func (d *decoder) pop(mark int) []any {
	st := *d.stack
	a := make([]any, len(st)-mark)
	copy(a, st[mark:])
	clear(st[mark:])
	*d.stack = st[:mark]
	return a
}

// string reads a string without escapes; d.buf[d.pos] is '"'.
func (d *decoder) string() (string, bool) {
	start := d.pos + 1
	ascii := true
	for i := start; i < len(d.buf); i++ {
		switch c := d.buf[i]; {
		case c == '"':
			s := d.buf[start:i]
			if !ascii && !utf8.Valid(s) {
				return "", false // encoding/json replaces invalid bytes
			}
			d.pos = i + 1
			return d.text[start:i], true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// number reads a number as json.Number, checking its grammar.
func (d *decoder) number() (json.Number, bool) {
	b, i := d.buf, d.pos
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return "", false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return "", false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return "", false
		}
		i = j
	}
	n := json.Number(d.text[d.pos:i])
	d.pos = i
	return n, true
}

func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}
