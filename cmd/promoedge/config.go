package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/promoedge/promoedge/internal/suggest"
)

// fromConfigFile sets every flag neither given on the command line nor in
// the environment from the YAML file at path: a mapping of flag names
// (without dashes) to values. Lists (join) may be YAML sequences. An
// unknown key or a bad value is an error naming the file, line and key.
func fromConfigFile(fs *flag.FlagSet, path string, getenv func(string) string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading the config file: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if len(doc.Content) == 0 { // an empty file sets nothing
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d: want a mapping of flag names to values", path, root.Line)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		name := k.Value
		f := fs.Lookup(name)
		if f == nil || name == "config" {
			return fmt.Errorf("%s:%d: unknown setting %q%s", path, k.Line, name, suggestSetting(fs, name))
		}
		if seen[name] {
			return fmt.Errorf("%s:%d: %q is set twice", path, k.Line, name)
		}
		seen[name] = true
		value, err := scalar(v)
		if err != nil {
			return fmt.Errorf("%s:%d: %s: %w", path, v.Line, name, err)
		}
		if given[name] || getenv(envName(name)) != "" {
			continue // the command line, then the environment, win
		}
		if err := fs.Set(name, value); err != nil { // fs.Set: Visit sees it as given
			return fmt.Errorf("%s:%d: %s: %q: %w", path, v.Line, name, value, err)
		}
	}
	return nil
}

// scalar is a value as a flag takes it: a sequence joins with commas.
func scalar(v *yaml.Node) (string, error) {
	switch v.Kind {
	case yaml.ScalarNode:
		return v.Value, nil
	case yaml.SequenceNode:
		parts := make([]string, 0, len(v.Content))
		for _, e := range v.Content {
			if e.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("a list of plain values is expected")
			}
			parts = append(parts, e.Value)
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("a value or a list of values is expected")
}

func envName(flagName string) string {
	return "PROMOEDGE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// suggestSetting names the closest flag when one is close to name.
func suggestSetting(fs *flag.FlagSet, name string) string {
	var all []string
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name != "config" {
			all = append(all, f.Name)
		}
	})
	if best := suggest.Closest(name, all); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	sort.Strings(all)
	return " (settings: " + strings.Join(all, ", ") + ")"
}
