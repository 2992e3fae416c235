package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/promoedge/promoedge/policies/rego"
)

// BuildWasm writes the OPA-wasm form of the bundle at path (a directory or
// a .tar.gz) to out, as a .tar.gz: its data and modules plus a policy.wasm
// with one entrypoint promo/rules/<rule> per rule, the rules of when:
// campaigns included (docs/rules.md#opa-compiled-rules: `promoctl build --target wasm`). Loaded,
// its rules run in wazero and answer as the Rego form does.
//
// The modules generated from when: blocks are compiled into policy.wasm but
// not shipped: the loader generates them again, under the same names, and
// finds their entrypoints in the manifest.
func BuildWasm(ctx context.Context, path string, out io.Writer) error {
	b, rec, err := readSource(path)
	if err != nil {
		return err
	}
	files := rec.files
	campaigns, problems := readCampaigns(b, files)
	before := len(b.Modules)
	problems = append(problems, compileWhen(b, campaigns, files)...)
	if len(problems) > 0 {
		return &LoadError{Source: path, Problems: problems}
	}
	eps, err := entrypoints(b)
	if err != nil {
		return err
	}
	generated := map[string]bool{}
	for _, m := range b.Modules[before:] {
		generated[m.Path] = true
	}
	var buf bytes.Buffer
	if err := rego.BuildPolicyWasmEntrypoints(ctx, b, eps, &buf); err != nil {
		return err
	}
	// OPA's bundle keeps none of the custom modules: they are put back.
	extra := map[string][]byte{}
	for name, bin := range rec.wasm {
		extra["/"+wasmDir+name+".wasm"] = bin
	}
	return copyTarball(out, &buf, func(name string) bool { return !generated[name] }, extra)
}

// entrypoints are promo/rules/<rule> for every rule package, but
// rego.WrapperEntrypoint(rule) for a package with functions, whose wrapper
// module it adds to b (a generated module, not shipped).
func entrypoints(b *opabundle.Bundle) ([]string, error) {
	withFuncs := map[string]bool{}
	for _, m := range b.Modules {
		if m.Parsed != nil && rego.HasFunctions(m.Parsed) {
			if r, ok := ruleOf(m.Parsed); ok {
				withFuncs[r] = true
			}
		}
	}
	var eps, wrapped []string
	for _, r := range rego.RulePackages(b) {
		if withFuncs[r] {
			wrapped = append(wrapped, r)
			eps = append(eps, rego.WrapperEntrypoint(r))
		} else {
			eps = append(eps, rego.RuleEntrypoint(r))
		}
	}
	if len(wrapped) > 0 {
		const path = "/promo/compiled/wrapper.rego"
		src := rego.Wrapper(wrapped)
		mod, err := ast.ParseModuleWithOpts(path, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
		if err != nil {
			return nil, fmt.Errorf("building the wasm form: internal error: %w", err)
		}
		b.Modules = append(b.Modules, opabundle.ModuleFile{URL: path, Path: path, RelativePath: path, Raw: []byte(src), Parsed: mod})
	}
	return eps, nil
}

// ruleOf is <rule> of a module with package promo.rules.<rule>.
func ruleOf(m *ast.Module) (string, bool) {
	p := m.Package.Path
	if len(p) != 4 || !p[1].Equal(ast.StringTerm("promo")) || !p[2].Equal(ast.StringTerm("rules")) {
		return "", false
	}
	s, ok := p[3].Value.(ast.String)
	return string(s), ok
}

// readSource reads a bundle directory or .tar.gz as OPA does, recording
// its files.
func readSource(path string) (*opabundle.Bundle, *recorder, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, nil, fmt.Errorf("opening bundle: %w", err)
	}
	var dl opabundle.DirectoryLoader
	if st.IsDir() {
		dl = opabundle.NewDirectoryLoader(path)
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("opening bundle: %w", err)
		}
		defer f.Close()
		dl = opabundle.NewTarballLoaderWithBaseURL(f, "")
	}
	rec := &recorder{DirectoryLoader: dl, max: DefaultMaxBytes}
	b, err := opabundle.NewCustomReader(rec).WithRegoVersion(ast.RegoV1).WithSkipBundleVerification(true).Read()
	if err != nil {
		return nil, nil, &LoadError{Source: path, Problems: readProblems(err)}
	}
	return &b, rec, nil
}

// copyTarball copies the files of a .tar.gz that keep accepts, and adds
// extra files.
func copyTarball(out io.Writer, in io.Reader, keep func(name string) bool, extra map[string][]byte) error {
	zr, err := gzip.NewReader(in)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(out)
	tw := tar.NewWriter(zw)
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if !keep(h.Name) {
			continue
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return err
		}
	}
	names := make([]string, 0, len(extra))
	for n := range extra {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(extra[n])), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tw.Write(extra[n]); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}
