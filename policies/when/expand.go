package when

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/promoedge/promoedge/internal/yamljson"
)

// ExpandDir copies the bundle directory src to dst (which must not exist
// or be empty) with every when: block compiled: the campaign's document
// names its rule (rule: <name>, without when:) and the generated module is
// a file of dst, promo/rules/<name>.rego. The result is a bundle plain OPA
// evaluates (`opa build`, `opa build -t wasm`), with the rule names the
// sidecar gives the same blocks when it loads src. It returns the rule
// name of each campaign it compiled, by campaign id.
//
// src should have passed the bundle loader (promoctl lint): a block with
// problems fails the expansion with the first of them.
func ExpandDir(src, dst string) (map[string]string, error) {
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		return nil, fmt.Errorf("copying the bundle: %w", err)
	}
	b, err := opabundle.NewCustomReader(opabundle.NewDirectoryLoader(src)).WithRegoVersion(ast.RegoV1).Read()
	if err != nil {
		return nil, fmt.Errorf("reading the bundle: %w", err)
	}
	docs := campaignDocs(b.Data)
	taken := RulePackages(&b)
	files := map[string]bool{}
	for _, m := range b.Modules {
		files[strings.TrimPrefix(m.Path, "/")] = true
	}
	rules := map[string]string{}
	for _, id := range slices.Sorted(maps.Keys(docs)) {
		doc := docs[id]
		block, ok := doc["when"]
		if !ok || block == nil {
			continue
		}
		name := RuleName(id, func(n string) bool { return taken[n] })
		taken[name] = true
		src, errs := Compile(campaignOf(id, name, doc), block, "when")
		if len(errs) > 0 {
			return nil, fmt.Errorf("campaign %s: %v", id, errs[0])
		}
		file := "promo/rules/" + name + ".rego"
		if files[file] {
			file = "promo/campaigns/" + id + "/rule.rego"
		}
		if err := writeFile(filepath.Join(dst, filepath.FromSlash(file)), []byte(src)); err != nil {
			return nil, err
		}
		if err := setRule(dst, id, name); err != nil {
			return nil, err
		}
		rules[id] = name
	}
	return rules, nil
}

// campaignDocs are the campaign documents under data.promo.campaigns.
func campaignDocs(data map[string]any) map[string]map[string]any {
	promo, _ := data["promo"].(map[string]any)
	all, _ := promo["campaigns"].(map[string]any)
	out := map[string]map[string]any{}
	for id, v := range all {
		if doc, ok := v.(map[string]any); ok {
			out[id] = doc
		}
	}
	return out
}

// campaignOf reads what Compile needs from a campaign document.
func campaignOf(id, rule string, doc map[string]any) Campaign {
	str := func(k string) string { s, _ := doc[k].(string); return s }
	c := Campaign{ID: id, Name: str("name"), Rule: rule, Currency: str("currency"), Timezone: str("timezone")}
	if c.Name == "" {
		c.Name = id
	}
	return c
}

// RulePackages are the names <rule> of a bundle's packages
// promo.rules.<rule>.
func RulePackages(b *opabundle.Bundle) map[string]bool {
	out := map[string]bool{}
	for _, m := range b.Modules {
		if m.Parsed == nil {
			continue
		}
		p := m.Parsed.Package.Path
		if len(p) >= 4 && p[1].Equal(ast.StringTerm("promo")) && p[2].Equal(ast.StringTerm("rules")) {
			if s, ok := p[3].Value.(ast.String); ok {
				out[string(s)] = true
			}
		}
	}
	return out
}

// setRule rewrites the data file that holds campaign id in dir: rule:
// name instead of when:. The file is the deepest data.json or data.yaml at
// or above promo/campaigns/<id>; it is written back in its own format.
func setRule(dir, id, name string) error {
	segs := []string{"promo", "campaigns", id}
	for depth := len(segs); depth >= 0; depth-- {
		for _, base := range []string{"data.json", "data.yaml", "data.yml"} {
			file := filepath.Join(dir, filepath.Join(segs[:depth]...), base)
			raw, err := os.ReadFile(file)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			return rewrite(file, raw, segs[depth:], name)
		}
	}
	return fmt.Errorf("campaign %s: no data file holds it", id)
}

// rewrite sets rule: name and drops when: in the document at keys of the
// data file.
func rewrite(file string, raw []byte, keys []string, name string) error {
	root, err := yamljson.Decode(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	doc, _ := root.(map[string]any)
	for _, k := range keys {
		doc, _ = doc[k].(map[string]any)
	}
	if doc == nil {
		return fmt.Errorf("%s: no campaign document at %s", file, strings.Join(keys, "."))
	}
	delete(doc, "when")
	doc["rule"] = name
	var out []byte
	if path.Ext(file) == ".json" {
		out, err = json.MarshalIndent(root, "", "  ")
	} else {
		out, err = yamljson.Marshal(root)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return os.WriteFile(file, out, 0o644)
}

func writeFile(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, data, 0o644)
}
