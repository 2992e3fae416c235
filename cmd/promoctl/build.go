package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"

	"github.com/promoedge/promoedge/policies/when"
)

// buildCmd compiles a bundle directory into an OPA bundle .tar.gz.
type buildCmd struct{}

func (buildCmd) name() string { return "build" }
func (buildCmd) synopsis() string {
	return "compile when: blocks to Rego and write an OPA bundle .tar.gz (--target rego|wasm, optionally signed)"
}

// signing is how to sign a bundle, as opa build and opa sign take it.
type signing struct {
	key, alg, claims string
}

func (s *signing) flags(fs *flag.FlagSet) {
	fs.StringVar(&s.key, "signing-key", "", "PEM private key (RS*, PS*, ES*) or HMAC secret (HS*) to sign the bundle with, as for opa build --signing-key")
	fs.StringVar(&s.alg, "signing-alg", "RS256", "signing algorithm")
	fs.StringVar(&s.claims, "claims-file", "", "JSON file of extra claims for the signature's payload")
}

// config is OPA's signing config; nil without a key.
func (s *signing) config() (*opabundle.SigningConfig, error) {
	if s.key == "" {
		if s.claims != "" {
			return nil, errors.New("--claims-file needs --signing-key")
		}
		return nil, nil
	}
	return opabundle.NewSigningConfig(s.key, s.alg, s.claims), nil
}

func (c buildCmd) run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags(c, "[bundle dir]", stderr)
	out := fs.String("o", "bundle.tar.gz", "output file")
	target := fs.String("target", compile.TargetRego, "rego, or wasm for a policy.wasm with one entrypoint promo/rules/<rule> per rule")
	revision := fs.String("revision", "", "the bundle's revision (default: the .manifest's)")
	var sign signing
	sign.flags(fs)
	if ok, err := parse(fs, args); !ok {
		return err
	}
	if *target != compile.TargetRego && *target != compile.TargetWasm {
		return fmt.Errorf("--target must be rego or wasm, got %q", *target)
	}
	sc, err := sign.config()
	if err != nil {
		return err
	}
	if err := oneArg(fs, stderr); err != nil {
		return err
	}
	dir := bundleArg(fs)
	if err := (lintCmd{}).run(ctx, []string{dir}, stdout, stderr); err != nil {
		return err // lint has said what is wrong
	}
	tmp, err := os.MkdirTemp("", "promoctl-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, "bundle")
	rules, err := when.ExpandDir(dir, src)
	if err != nil {
		return err
	}
	if err := writeBundle(ctx, src, *out, build{target: *target, revision: *revision, signing: sc}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s, %d when: blocks compiled to Rego", *out, *target, len(rules))
	if sc != nil {
		fmt.Fprint(stdout, ", signed")
	}
	fmt.Fprintln(stdout, ")")
	return nil
}

// build is what a bundle is built into.
type build struct {
	target   string
	revision string
	signing  *opabundle.SigningConfig
}

// writeBundle builds the bundle directory src into the .tar.gz out the way
// `opa build -b src [-t wasm -e promo/rules/<rule>...] [--signing-key]`
// does: with OPA's own compile package.
func writeBundle(ctx context.Context, src, out string, b build) error {
	c := compile.New().
		WithAsBundle(true).
		WithTarget(b.target).
		WithFS(os.DirFS(src)).
		WithPaths(".").
		WithRegoVersion(ast.RegoV1).
		WithBundleSigningConfig(b.signing)
	if b.revision != "" {
		c = c.WithRevision(b.revision)
	}
	if b.target == compile.TargetWasm {
		eps, err := entrypoints(src)
		if err != nil {
			return err
		}
		c = c.WithEntrypoints(eps...)
	}
	f, err := os.CreateTemp(filepath.Dir(out), ".promoctl-*.tar.gz")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := c.WithOutput(f).Build(ctx); err != nil {
		f.Close()
		return fmt.Errorf("building %s: %w", src, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), out)
}

// entrypoints are promo/rules/<rule> for every rule package of the bundle.
func entrypoints(dir string) ([]string, error) {
	b, err := opabundle.NewCustomReader(opabundle.NewDirectoryLoader(dir)).WithRegoVersion(ast.RegoV1).Read()
	if err != nil {
		return nil, err
	}
	var eps []string
	for r := range when.RulePackages(&b) {
		eps = append(eps, "promo/rules/"+r)
	}
	if len(eps) == 0 {
		return nil, errors.New("the wasm target needs at least one rule (a when: block or a package promo.rules.<rule>)")
	}
	sort.Strings(eps)
	return eps, nil
}
