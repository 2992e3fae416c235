package field

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"

	"github.com/promoedge/promoedge/internal/suggest"
)

// Error is one problem at one path of a document.
type Error struct {
	Field   string // path, e.g. "cart.items[0].quantity"
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Errors collects the problems found in one document.
type Errors []*Error

func (es *Errors) add(path, format string, args ...any) {
	*es = append(*es, &Error{Field: path, Message: fmt.Sprintf(format, args...)})
}

// Obj reads the keys of one object.
type Obj struct {
	path string // the object's path, or the array's when at >= 0
	at   int    // the object's index in the array at path; -1: none
	m    map[string]any
	errs *Errors
	seen []string // keys read, for Strict: a few, so a slice beats a map
	buf  [8]string
}

// Object wraps m, whose path is path; problems are appended to errs.
func Object(path string, m map[string]any, errs *Errors) *Obj {
	o := &Obj{path: path, at: -1, m: m, errs: errs}
	o.seen = o.buf[:0]
	return o
}

// Path is the object's own path (an array element's is made when asked:
// most are never reported).
func (o *Obj) Path() string {
	if o.at < 0 {
		return o.path
	}
	return Index(o.path, o.at)
}

// Join returns the path of key inside o.
func (o *Obj) Join(key string) string { return Join(o.Path(), key) }

// Join returns the path of key inside path.
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Index returns the path of element i of path.
func Index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// Fail records a problem at key.
func (o *Obj) Fail(key, format string, args ...any) {
	o.errs.add(o.Join(key), format, args...)
}

func (o *Obj) get(key string) (any, bool) {
	if !slices.Contains(o.seen, key) {
		o.seen = append(o.seen, key)
	}
	v, ok := o.m[key]
	if ok && v == nil {
		return nil, false
	}
	return v, ok
}

// Has reports whether key is present and not null.
func (o *Obj) Has(key string) bool {
	v, ok := o.m[key]
	return ok && v != nil
}

// Raw returns the value of key as it is.
func (o *Obj) Raw(key string) (any, bool) { return o.get(key) }

// String reads a string; def if absent.
func (o *Obj) String(key, def string) string {
	v, ok := o.get(key)
	if !ok {
		return def
	}
	s, isStr := v.(string)
	if !isStr {
		o.Fail(key, "must be a string, got %s", kind(v))
		return def
	}
	return s
}

// Bool reads a boolean; def if absent.
func (o *Obj) Bool(key string, def bool) bool {
	v, ok := o.get(key)
	if !ok {
		return def
	}
	b, isBool := v.(bool)
	if !isBool {
		o.Fail(key, "must be true or false, got %s", kind(v))
		return def
	}
	return b
}

// Int reads an integer no smaller than min; def if absent.
func (o *Obj) Int(key string, def, min int64) int64 {
	v, ok := o.get(key)
	if !ok {
		return def
	}
	n, err := Int(v)
	if err != nil {
		o.Fail(key, "%v", err)
		return def
	}
	if n < min {
		o.Fail(key, "must be at least %d, got %d", min, n)
		return def
	}
	return n
}

// Number reads a number as its exact decimal text; "" if absent.
func (o *Obj) Number(key string) string {
	v, ok := o.get(key)
	if !ok {
		return ""
	}
	switch n := v.(type) {
	case json.Number:
		return n.String()
	case int:
		return strconv.Itoa(n)
	case int64:
		return strconv.FormatInt(n, 10)
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	o.Fail(key, "must be a number, got %s", kind(v))
	return ""
}

// Strings reads an array of strings.
func (o *Obj) Strings(key string) []string {
	v, ok := o.get(key)
	if !ok {
		return nil
	}
	arr, isArr := v.([]any)
	if !isArr {
		o.Fail(key, "must be an array of strings, got %s", kind(v))
		return nil
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, isStr := e.(string)
		if !isStr {
			o.errs.add(Index(o.Join(key), i), "must be a string, got %s", kind(e))
			continue
		}
		out = append(out, s)
	}
	return out
}

// Map reads an object as it is.
func (o *Obj) Map(key string) map[string]any {
	v, ok := o.get(key)
	if !ok {
		return nil
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		o.Fail(key, "must be an object, got %s", kind(v))
		return nil
	}
	return m
}

// Object reads a nested object; nil if absent or not an object.
func (o *Obj) Object(key string) *Obj {
	m := o.Map(key)
	if m == nil {
		return nil
	}
	return Object(o.Join(key), m, o.errs)
}

// Array reads an array as it is.
func (o *Obj) Array(key string) []any {
	v, ok := o.get(key)
	if !ok {
		return nil
	}
	arr, isArr := v.([]any)
	if !isArr {
		o.Fail(key, "must be an array, got %s", kind(v))
		return nil
	}
	return arr
}

// Strict reports every key of o that no reader asked for, suggesting the
// closest known name. Call it after reading all known keys.
func (o *Obj) Strict() {
	var unknown []string
	for k := range o.m {
		if !slices.Contains(o.seen, k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		o.errs.add(o.Join(k), "unknown field%s", suggest.DidYouMean(k, o.seen))
	}
}

// Int converts a decoded JSON number to an int64, refusing fractions.
func Int(v any) (int64, error) {
	switch n := v.(type) {
	case json.Number:
		i, err := strconv.ParseInt(n.String(), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("must be an integer, got %s", n)
		}
		return i, nil
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case float64:
		if n == float64(int64(n)) {
			return int64(n), nil
		}
		return 0, fmt.Errorf("must be an integer, got %v", n)
	}
	return 0, fmt.Errorf("must be an integer, got %s", kind(v))
}

func kind(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64, int, int64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", x)
	}
}

// Objects reads an array of objects; an element that is not an object is
// reported and returned as nil so indexes keep matching the input.
func (o *Obj) Objects(key string) []*Obj {
	arr := o.Array(key)
	if len(arr) == 0 {
		return []*Obj{}
	}
	path := o.Join(key)
	out, objs := make([]*Obj, len(arr)), make([]Obj, len(arr)) // one allocation for all
	for i, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			o.errs.add(Index(path, i), "must be an object, got %s", kind(e))
			continue
		}
		objs[i] = Obj{path: path, at: i, m: m, errs: o.errs}
		objs[i].seen = objs[i].buf[:0]
		out[i] = &objs[i]
	}
	return out
}

// Len is the length of the array at key, 0 if absent or not an array.
func (o *Obj) Len(key string) int {
	arr, _ := o.m[key].([]any)
	return len(arr)
}

// Set stores v at key in the underlying document.
func (o *Obj) Set(key string, v any) { o.m[key] = v }
