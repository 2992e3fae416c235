package layers

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/promoedge/promoedge/"

// rules lists, for each package (a path or a prefix ending in "/..."), the
// packages of this module it may import. The first matching row applies;
// a package no row matches fails the test, so a new folder gets a row.
var rules = []struct {
	pkg   string
	allow []string
}{
	// The domain and its private helpers.
	{"policies/money", nil},
	{"policies/stats", nil},
	{"policies/internal/...", []string{"policies/internal/...", "internal/..."}},
	{"internal/...", []string{"internal/..."}},
	{"policies", []string{"policies/money", "policies/stats", "policies/internal/...", "internal/..."}},
	// Rule backends: the domain only, never each other.
	{"policies/rego", domain("policies/rego/...")},
	{"policies/when", domain("policies/when/...")},
	{"wasm/...", domain("wasm/...")},
	// Technologies that keep state.
	{"policies/store/...", domain("policies/store/...")},
	{"cluster/...", domain("cluster/...", "policies/store")},
	// Workers that deliver outside the process: the domain only.
	{"policies/webhook/...", domain("policies/webhook/...")},
	// Test vocabularies over the domain.
	{"policies/pricetest", domain()},
	// Bundle loading and activation: the backends and the domain.
	{"policies/bundle/...", domain("policies/bundle/...", "policies/rego", "policies/when", "wasm")},
	{"policies/activation", domain("policies/bundle", "policies/activation", "wasm")},
	// The HTTP layer speaks domain types; cmd hands it store, fleet and stats.
	{"sidecar/client/...", domain("sidecar/client/...", "sidecar/api")},
	{"sidecar/api", domain()},
	{"sidecar/sidecartest", []string{"..."}},
	{"sidecar/...", domain("sidecar/...", "policies/activation", "policies/bundle")},
	{"examples/...", []string{"..."}},
	{"cmd/...", []string{"..."}},
}

// domain returns what the domain layer offers plus extra.
func domain(extra ...string) []string {
	return append([]string{"policies", "policies/money", "policies/stats", "policies/internal/...", "internal/..."}, extra...)
}

func TestImportGraph(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		pkg := strings.TrimPrefix(f[0], module)
		allow, ok := rowFor(pkg)
		if !ok {
			t.Errorf("%s: no row in rules; add one", pkg)
			continue
		}
		for _, imp := range f[1:] {
			if !strings.HasPrefix(imp, module) {
				continue
			}
			if imp = strings.TrimPrefix(imp, module); !matchAny(allow, imp) {
				t.Errorf("%s imports %s: not allowed by its layer", pkg, imp)
			}
		}
	}
}

func rowFor(pkg string) ([]string, bool) {
	for _, r := range rules {
		if match(r.pkg, pkg) {
			return r.allow, true
		}
	}
	return nil, false
}

func matchAny(patterns []string, pkg string) bool {
	for _, p := range patterns {
		if match(p, pkg) {
			return true
		}
	}
	return false
}

// match reports whether pkg is pattern, or lies under it when the pattern
// ends in "/..."; "..." alone matches everything.
func match(pattern, pkg string) bool {
	if pattern == "..." {
		return true
	}
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, pkg string
		want         bool
	}{
		{"policies", "policies", true},
		{"policies", "policies/store", false},
		{"wasm/...", "wasm", true},
		{"wasm/...", "wasm/internal/abi", true},
		{"wasm/...", "wasmer", false},
		{"...", "cmd/promoedge", true},
	} {
		if got := match(c.pattern, c.pkg); got != c.want {
			t.Errorf("match(%q, %q) = %v, want %v", c.pattern, c.pkg, got, c.want)
		}
	}
}
