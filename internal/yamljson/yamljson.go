package yamljson

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ToJSON is the JSON of the first YAML document in y ("null" when there
// is none), objects with sorted keys.
func ToJSON(y []byte) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(y, &doc); err != nil {
		return nil, err
	}
	var v any
	if len(doc.Content) > 0 {
		var err error
		if v, err = value(doc.Content[0]); err != nil {
			return nil, err
		}
	}
	return json.Marshal(v)
}

// Decode is the value of the first YAML document in y as encoding/json
// decodes its JSON, numbers as json.Number.
func Decode(y []byte) (any, error) {
	js, err := ToJSON(y)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var v any
	err = dec.Decode(&v)
	return v, err
}

// Marshal writes v, a value as encoding/json decodes it (numbers as
// json.Number, float64 or integers), as block YAML with sorted keys that
// reads back to the same JSON here and in any YAML 1.1 reader: a string
// that reads as something else there ("yes", "on") is quoted.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	enc.CompactSeqIndent()
	if err := enc.Encode(numbers(v)); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// numbers is v with every json.Number an int, uint64 or float64, which
// the encoder writes as a number (a json.Number it would quote).
func numbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		return number(string(x))
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = numbers(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = numbers(e)
		}
		return out
	}
	return v
}

func value(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return value(n.Alias)
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, e := range n.Content {
			var err error
			if out[i], err = value(e); err != nil {
				return nil, err
			}
		}
		return out, nil
	case yaml.MappingNode:
		out := map[string]any{}
		return out, mapping(n, out)
	}
	return scalar(n)
}

// mapping sets the pairs of n in out, in order: a later key wins.
func mapping(n *yaml.Node, out map[string]any) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if isMerge(k) {
			if err := merge(v, out); err != nil {
				return err
			}
			continue
		}
		key, err := scalarKey(k)
		if err != nil {
			return err
		}
		if out[key], err = value(v); err != nil {
			return err
		}
	}
	return nil
}

func isMerge(k *yaml.Node) bool {
	return k.Kind == yaml.ScalarNode && k.Value == "<<" && (k.Style == 0 || k.Tag == "!!merge")
}

// merge sets the pairs of the mapping (or mappings, the first winning) v
// names in out.
func merge(v *yaml.Node, out map[string]any) error {
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	switch v.Kind {
	case yaml.MappingNode:
		return mapping(v, out)
	case yaml.SequenceNode:
		for i := len(v.Content) - 1; i >= 0; i-- {
			m := v.Content[i]
			if m.Kind == yaml.AliasNode {
				m = m.Alias
			}
			if m.Kind != yaml.MappingNode {
				return fmt.Errorf("yaml: line %d: map merge requires map or sequence of maps as the value", v.Line)
			}
			if err := mapping(m, out); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("yaml: line %d: map merge requires map or sequence of maps as the value", v.Line)
}

// scalarKey is a mapping key as JSON names it.
func scalarKey(k *yaml.Node) (string, error) {
	if k.Kind == yaml.AliasNode {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("yaml: line %d: invalid map key: a %s", k.Line, kindName(k.Kind))
	}
	v, err := scalar(k)
	if err != nil {
		return "", err
	}
	switch x := v.(type) {
	case string:
		return x, nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		switch s := strconv.FormatFloat(x, 'g', -1, 32); s {
		case "+Inf":
			return ".inf", nil
		case "-Inf":
			return "-.inf", nil
		case "NaN":
			return ".nan", nil
		default:
			return s, nil
		}
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("unsupported map key of type: %T, key: %+#v", v, v)
}

func kindName(k yaml.Kind) string {
	if k == yaml.MappingNode {
		return "mapping"
	}
	return "sequence"
}

// scalar is the value of a scalar node: a quoted or block scalar, or one
// tagged !!str or with a tag of its own, is a string; !!binary is decoded;
// any other is resolved as YAML 1.1 resolves a plain scalar.
func scalar(n *yaml.Node) (any, error) {
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value, nil
	}
	if n.Style&yaml.TaggedStyle != 0 {
		switch tag := n.ShortTag(); tag {
		case "!!bool", "!!int", "!!float", "!!null", "!!timestamp":
			return tagged(n, tag)
		default: // !!str, and a tag YAML does not resolve
			return n.Value, nil
		case "!!binary":
			b, err := base64.StdEncoding.DecodeString(n.Value)
			if err != nil {
				return nil, fmt.Errorf("yaml: line %d: !!binary value contains invalid base64 data", n.Line)
			}
			return string(b), nil
		}
	}
	return plain(n.Value), nil
}

// tagged is the value of a scalar with an explicit tag, which its text
// must resolve to (an integer may be tagged !!float).
func tagged(n *yaml.Node, tag string) (any, error) {
	v := plain(n.Value)
	got := "!!str"
	switch x := v.(type) {
	case nil:
		got = "!!null"
	case bool:
		got = "!!bool"
	case int, int64, uint64:
		got = "!!int"
		if tag == "!!float" {
			return toFloat(x), nil
		}
	case float64:
		got = "!!float"
	case string:
		if isTimestamp(x) {
			got = "!!timestamp"
		}
	}
	if got != tag {
		return nil, fmt.Errorf("yaml: cannot decode %s `%s` as a %s", got, n.Value, tag)
	}
	return v, nil
}

func toFloat(x any) float64 {
	switch i := x.(type) {
	case int:
		return float64(i)
	case int64:
		return float64(i)
	}
	return float64(x.(uint64))
}

var timestampFormats = []string{"2006-1-2T15:4:5.999999999Z07:00", "2006-1-2t15:4:5.999999999Z07:00", "2006-1-2 15:4:5.999999999", "2006-1-2"}

// isTimestamp reports whether YAML 1.1 reads s as a timestamp (which a
// plain scalar keeps as its text).
func isTimestamp(s string) bool {
	i := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, f := range timestampFormats {
		if _, err := time.Parse(f, s); err == nil {
			return true
		}
	}
	return false
}

// words are the plain scalars YAML 1.1 gives a value by name.
var words = func() map[string]any {
	m := map[string]any{}
	for v, ss := range map[any][]string{
		true:  {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"},
		false: {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"},
	} {
		for _, s := range ss {
			m[s] = v
		}
	}
	for _, s := range []string{"", "~", "null", "Null", "NULL"} {
		m[s] = nil
	}
	for _, s := range []string{".nan", ".NaN", ".NAN"} {
		m[s] = math.NaN()
	}
	for _, s := range []string{".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"} {
		m[s] = math.Inf(+1)
	}
	for _, s := range []string{"-.inf", "-.Inf", "-.INF"} {
		m[s] = math.Inf(-1)
	}
	return m
}()

var yamlFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// plain resolves a plain scalar as YAML 1.1 (go-yaml v2) does.
func plain(s string) any {
	if v, ok := words[s]; ok {
		return v
	}
	switch {
	case s == "":
	case s[0] == '.':
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	case s[0] == '+' || s[0] == '-' || '0' <= s[0] && s[0] <= '9':
		return number(s)
	}
	return s
}

// number resolves a scalar that starts like a number: an integer (any
// base, underscores allowed), a float, or else the string itself (a date
// among them).
func number(s string) any {
	p := strings.ReplaceAll(s, "_", "")
	if i, err := strconv.ParseInt(p, 0, 64); err == nil {
		return intValue(i)
	}
	if u, err := strconv.ParseUint(p, 0, 64); err == nil {
		return u
	}
	if yamlFloat.MatchString(p) {
		if f, err := strconv.ParseFloat(p, 64); err == nil {
			return f
		}
	}
	switch {
	case strings.HasPrefix(p, "0b"):
		if i, err := strconv.ParseInt(p[2:], 2, 64); err == nil {
			return intValue(i)
		}
		if u, err := strconv.ParseUint(p[2:], 2, 64); err == nil {
			return u
		}
	case strings.HasPrefix(p, "-0b"):
		if i, err := strconv.ParseInt("-"+p[3:], 2, 64); err == nil {
			return int(i)
		}
	}
	return s
}

func intValue(i int64) any {
	if i == int64(int(i)) {
		return int(i)
	}
	return i
}
