package pricetest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
	k8syaml "sigs.k8s.io/yaml"

	"github.com/promoedge/promoedge/internal/suggest"
	"github.com/promoedge/promoedge/policies"
)

// File is one test file.
type File struct {
	Path     string         `json:"-"`
	Defaults map[string]any `json:"defaults"`
	Cases    []Case         `json:"cases"`
}

// Case is one request and what the engine must answer.
type Case struct {
	Name     string         `json:"name"`
	Cart     map[string]any `json:"cart"`
	Customer map[string]any `json:"customer"`
	Context  map[string]any `json:"context"`
	Codes    []string       `json:"codes"`
	Explain  bool           `json:"explain"`
	Want     Want           `json:"want"`
	Line     int            `json:"-"`
}

// Want is what a case asserts; what it leaves out is not checked. Every
// campaign listed under applied, points and free_items is checked, others
// are not.
type Want struct {
	Subtotal         *int64               `json:"subtotal"`
	Discount         *int64               `json:"discount"`
	ShippingDiscount *int64               `json:"shipping_discount"`
	Total            *int64               `json:"total"`
	Applied          map[string]int64     `json:"applied"`     // these campaigns applied, amounts summed
	NotApplied       []string             `json:"not_applied"` // these did not
	Rejected         map[string]Rejection `json:"rejected"`    // these were rejected, for these reasons
	Points           map[string]int64     `json:"points"`
	FreeItems        map[string]int64     `json:"free_items"` // sku → quantity
}

// Rejection is a rejected campaign's reason and, when given, its details.
type Rejection struct {
	Reason  policies.Reason `json:"reason"`
	Details []string        `json:"details"`
}

// UnmarshalJSON takes a bare reason ("rule") or {reason, details}.
func (r *Rejection) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		r.Reason = policies.Reason(s)
		return nil
	}
	type plain Rejection
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode((*plain)(r))
}

// ReadFile reads and checks a test file.
func ReadFile(path string) (*File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, raw)
}

// Parse reads a test file's content; path names it in errors.
func Parse(path string, raw []byte) (*File, error) {
	js, err := k8syaml.YAMLToJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	f := &File{Path: path}
	if err := dec.Decode(f); err != nil {
		return nil, explain(path, raw, err)
	}
	lines := caseLines(raw)
	seen := map[string]bool{}
	for i := range f.Cases {
		c := &f.Cases[i]
		if i < len(lines) {
			c.Line = lines[i]
		}
		if c.Name == "" {
			c.Name = "case " + strconv.Itoa(i+1)
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("%s:%d: two cases are named %q", path, c.Line, c.Name)
		}
		seen[c.Name] = true
	}
	if len(f.Cases) == 0 {
		return nil, fmt.Errorf("%s: no cases", path)
	}
	return f, nil
}

// caseLines are the lines the cases start on.
func caseLines(raw []byte) []int {
	var doc yaml.Node
	if yaml.Unmarshal(raw, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "cases" {
			var out []int
			for _, c := range root.Content[i+1].Content {
				out = append(out, c.Line)
			}
			return out
		}
	}
	return nil
}

// request is the case's evaluate body: its own keys over the defaults.
func (f *File) request(c *Case) map[string]any {
	doc := map[string]any{}
	for k, v := range f.Defaults {
		doc[k] = v
	}
	set := func(k string, v any, ok bool) {
		if ok {
			doc[k] = v
		}
	}
	set("cart", c.Cart, c.Cart != nil)
	set("customer", c.Customer, c.Customer != nil)
	set("context", c.Context, c.Context != nil)
	set("codes", toAny(c.Codes), c.Codes != nil)
	set("explain", c.Explain, c.Explain)
	return deepCopy(doc).(map[string]any)
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// deepCopy copies decoded JSON, so that a request never shares (and the
// engine never fills in) the defaults of another.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

// knownKeys are the keys a test file may use, for suggestions.
var knownKeys = []string{"defaults", "cases", "name", "cart", "customer", "context", "codes", "explain", "want",
	"subtotal", "discount", "shipping_discount", "total", "applied", "not_applied", "rejected", "points", "free_items",
	"reason", "details"}

var unknownField = regexp.MustCompile(`unknown field "([^"]*)"`)

// explain turns a decoding error into one that names the file, the line
// of an unknown key and the key probably meant.
func explain(path string, raw []byte, err error) error {
	m := unknownField.FindStringSubmatch(err.Error())
	if m == nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	msg := fmt.Sprintf("%s:%d: unknown field %q", path, keyLine(raw, m[1]), m[1])
	if best := suggest.Closest(m[1], knownKeys); best != "" {
		msg += fmt.Sprintf("; did you mean %q?", best)
	}
	return errors.New(msg)
}

// keyLine is the line of the first mapping key named key, 0 if none.
func keyLine(raw []byte, key string) int {
	var doc yaml.Node
	if yaml.Unmarshal(raw, &doc) != nil {
		return 0
	}
	var find func(n *yaml.Node) int
	find = func(n *yaml.Node) int {
		for i, c := range n.Content {
			if n.Kind == yaml.MappingNode && i%2 == 0 && c.Value == key {
				return c.Line
			}
			if l := find(c); l > 0 {
				return l
			}
		}
		return 0
	}
	return find(&doc)
}
