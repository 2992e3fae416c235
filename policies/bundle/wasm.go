package bundle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/promoedge/promoedge/internal/suggest"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/wasm"
)

// wasmDir holds the custom rule modules: promo/wasm/<module>.wasm.
const wasmDir = "promo/wasm/"

// moduleName is <module> for a file promo/wasm/<module>.wasm, else "".
func moduleName(file string) string {
	file = strings.TrimPrefix(file, "/")
	name, ok := strings.CutPrefix(file, wasmDir)
	if !ok || !strings.HasSuffix(name, ".wasm") || strings.Contains(name, "/") {
		return ""
	}
	return strings.TrimSuffix(name, ".wasm")
}

// keepWasm reads a custom module's bytes as the loader hands the file out
// (OPA's reader keeps only policy.wasm and drops other .wasm files) and
// gives the reader a descriptor of the same bytes, so that signatures
// still cover them.
func (r *recorder) keepWasm(d *opabundle.Descriptor) (*opabundle.Descriptor, error) {
	name := moduleName(d.Path())
	if name == "" {
		return d, nil
	}
	var buf bytes.Buffer
	_, err := d.Read(&buf, r.max+1)
	d.Close()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading %s: %w", d.Path(), err)
	}
	if int64(buf.Len()) > r.max {
		return nil, fmt.Errorf("bundle file %s exceeds the %d-byte size limit", d.Path(), r.max)
	}
	if r.wasm == nil {
		r.wasm = map[string][]byte{}
	}
	r.wasm[name] = buf.Bytes()
	return opabundle.NewDescriptor(d.URL(), d.Path(), bytes.NewReader(buf.Bytes())), nil
}

// loadWasm compiles the bundle's custom modules, checks that every module
// a campaign names exists, and loads policy.wasm when the bundle has one.
// It returns the Rules that decide the bundle's campaigns: regoRules alone when
// the bundle has no wasm, else a policies.Router over ruleBackends.
func loadWasm(ctx context.Context, cfg Config, b *opabundle.Bundle, campaigns []*policies.Campaign, modules map[string][]byte, regoRules policies.Rules) (policies.Rules, []Problem) {
	host, problems := compileModules(ctx, cfg, modules)
	compiled, rules, ps := loadPolicyWasm(ctx, cfg, b, campaigns)
	problems = append(problems, ps...)
	if len(problems) > 0 || (host == nil && compiled == nil) {
		if host != nil {
			host.Close(ctx)
		}
		return regoRules, problems
	}
	var custom policies.Rules
	if host != nil {
		ev, err := wasm.NewEvaluator(host, campaigns)
		if err != nil {
			host.Close(ctx)
			return nil, []Problem{{Message: err.Error()}}
		}
		custom = ev
	}
	return &policies.Router{Routes: ruleBackends(regoRules, compiled, rules, custom)}, nil
}

// checkModules refuses a campaign that names a module the bundle lacks,
// and marks the campaigns with a module as returning their own effects: a
// module may, so its campaign is never ruled out by its declared effects'
// filters before it runs.
func checkModules(campaigns []*policies.Campaign, files []string, modules map[string][]byte) []Problem {
	var problems []Problem
	for _, c := range campaigns {
		if c.Wasm != "" {
			c.DynamicEffects = true
		}
		if c.Wasm != "" && modules[c.Wasm] == nil {
			problems = append(problems, Problem{
				File:    dataFile(files, "promo/campaigns/"+c.ID),
				Field:   campaignField(c.ID, "wasm"),
				Message: fmt.Sprintf("wasm module %q does not exist: the bundle has no file %s%s.wasm%s", c.Wasm, wasmDir, c.Wasm, suggestModule(c.Wasm, modules)),
			})
		}
	}
	return problems
}

// compileModules compiles every promo/wasm/*.wasm of the bundle, used or
// not, so that a broken module is refused when it is loaded.
func compileModules(ctx context.Context, cfg Config, modules map[string][]byte) (*wasm.Host, []Problem) {
	if len(modules) == 0 {
		return nil, nil
	}
	var problems []Problem
	host, err := wasm.NewHost(ctx, cfg.Wasm)
	if err != nil {
		return nil, append(problems, Problem{Message: err.Error()})
	}
	names := make([]string, 0, len(modules))
	for n := range modules {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := host.Compile(ctx, n, modules[n]); err != nil {
			problems = append(problems, Problem{File: wasmDir + n + ".wasm", Message: err.Error()})
		}
	}
	return host, problems
}

func suggestModule(name string, modules map[string][]byte) string {
	return suggest.DidYouMean(name, slices.Collect(maps.Keys(modules)))
}
