package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"

	opabundle "github.com/open-policy-agent/opa/v1/bundle"
	"go.yaml.in/yaml/v3"
)

// keepData keeps the bytes of the bundle's data files as the loader hands
// them out, so that a problem in a campaign document can be given the line
// of its field; the reader gets a descriptor of the same bytes.
func (r *recorder) keepData(d *opabundle.Descriptor) (*opabundle.Descriptor, error) {
	name := strings.TrimPrefix(d.Path(), "/")
	switch path.Base(name) {
	case "data.json", "data.yaml", "data.yml":
	default:
		return d, nil
	}
	var buf bytes.Buffer
	_, err := d.Read(&buf, r.max+1)
	d.Close()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading %s: %w", d.Path(), err)
	}
	if r.data == nil {
		r.data = map[string][]byte{}
	}
	r.data[name] = buf.Bytes()
	return opabundle.NewDescriptor(d.URL(), d.Path(), bytes.NewReader(buf.Bytes())), nil
}

// yamlError is how OPA's reader reports a data file that is not YAML.
var yamlError = regexp.MustCompile(`^bundle load failed on /?(\S+?): .*?(?:yaml|json): line (\d+): (.*)$`)

// withLines gives every problem of a *LoadError that names a field of a
// data file the line of that field, and syntax errors of data files their
// file and line.
func (r *recorder) withLines(err error) error {
	var le *LoadError
	if !errors.As(err, &le) {
		return err
	}
	trees := map[string]*yaml.Node{}
	for i := range le.Problems {
		p := &le.Problems[i]
		if m := yamlError.FindStringSubmatch(p.Message); p.File == "" && m != nil {
			p.File, p.Message = m[1], m[3]
			p.Line, _ = strconv.Atoi(m[2])
			continue
		}
		src, ok := r.data[p.File]
		if p.Line > 0 || p.Field == "" || !ok {
			continue
		}
		tree, seen := trees[p.File]
		if !seen {
			tree = parseTree(src)
			trees[p.File] = tree
		}
		p.Line = FieldLine(tree, path.Dir(p.File), p.Field)
	}
	return err
}

func parseTree(src []byte) *yaml.Node {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 {
		return nil
	}
	return doc.Content[0]
}

// FieldLine is the line of the document tree of a data file in directory
// dir (its root is data.<dir>) where field is: "campaigns.<id>.effects[0]"
// names data.promo.campaigns.<id>.effects[0]. A field that is not in the
// file (a missing one) gets the line of the nearest object around it; 0
// when the tree is nil.
func FieldLine(tree *yaml.Node, dir, field string) int {
	if tree == nil {
		return 0
	}
	rest := field
	if strings.HasPrefix(rest, "campaigns.") {
		rest = "promo." + rest
	}
	if dir != "." && dir != "" {
		prefix := strings.ReplaceAll(dir, "/", ".")
		if rest == prefix {
			return tree.Line
		}
		if !strings.HasPrefix(rest, prefix+".") {
			return tree.Line
		}
		rest = rest[len(prefix)+1:]
	}
	return walk(tree, rest)
}

// walk follows rest ("a.b[2].c") down n to the line it names.
func walk(n *yaml.Node, rest string) int {
	for rest != "" {
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
		switch n.Kind {
		case yaml.MappingNode:
			key, val, after := mappingStep(n, rest)
			if key == nil {
				return n.Line
			}
			if after == "" {
				return key.Line
			}
			n, rest = val, after
		case yaml.SequenceNode:
			i, after, ok := indexStep(rest)
			if !ok || i >= len(n.Content) {
				return n.Line
			}
			n, rest = n.Content[i], after
		default:
			return n.Line
		}
	}
	return n.Line
}

// mappingStep finds the key of m that rest starts with (the longest, as
// keys may hold dots) and what is left of rest after it.
func mappingStep(m *yaml.Node, rest string) (key, val *yaml.Node, after string) {
	best := -1
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i].Value
		if (rest == k || strings.HasPrefix(rest, k+".") || strings.HasPrefix(rest, k+"[")) && (best < 0 || len(k) > len(m.Content[best].Value)) {
			best = i
		}
	}
	if best < 0 {
		return nil, nil, ""
	}
	after = strings.TrimPrefix(rest[len(m.Content[best].Value):], ".")
	return m.Content[best], m.Content[best+1], after
}

// indexStep reads "[i]" at the start of rest.
func indexStep(rest string) (int, string, bool) {
	if !strings.HasPrefix(rest, "[") {
		return 0, "", false
	}
	end := strings.IndexByte(rest, ']')
	if end < 0 {
		return 0, "", false
	}
	i, err := strconv.Atoi(rest[1:end])
	if err != nil || i < 0 {
		return 0, "", false
	}
	return i, strings.TrimPrefix(rest[end+1:], "."), true
}
