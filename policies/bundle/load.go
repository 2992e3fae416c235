package bundle

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/rego"
	"github.com/promoedge/promoedge/wasm"
)

// Config says where a bundle comes from and how far to trust it.
type Config struct {
	// Source names the bundle in errors and in GET /v1/bundles.
	Source string
	// MaxBytes bounds the size of any one file of the bundle; 0 means
	// DefaultMaxBytes.
	MaxBytes int64
	// MaxTotalBytes bounds the bundle's files together, uncompressed (a
	// tarball's inflated stream); 0 means DefaultMaxTotalBytes.
	MaxTotalBytes int64
	// MaxFiles bounds how many files the bundle holds; 0 means
	// DefaultMaxFiles. Every bound is checked before any file is read
	// into memory (bounds.go).
	MaxFiles int
	// Verification, when set, requires the bundle to be signed as
	// `opa build --signing-key` / `opa sign` sign it, for one of its keys;
	// OPA's own verification code checks it. Nil accepts unsigned bundles
	// (and ignores a signature).
	Verification *opabundle.VerificationConfig
	// Wasm is the sandbox of the bundle's custom wasm modules; the zero
	// value is wasm.DefaultConfig().
	Wasm wasm.Config
	// RuleLimits bound each evaluation of the bundle's Rego rules: a
	// deadline and an allocation bound; zero fields are rego's defaults.
	RuleLimits RuleLimits
	// WhenInRego decides the campaigns of when: blocks with OPA, on the
	// Rego generated from them, instead of natively: the path before the
	// native evaluator, kept for parity tests and benchmarks. Answers are
	// the same either way.
	WhenInRego bool
	// Endpoints are the names of the webhook endpoints (--webhook
	// NAME=URL): a trigger's webhook action naming another is a problem.
	// Nil: endpoints are not known here, and not checked.
	Endpoints map[string]bool
}

// RuleLimits bound each evaluation of a bundle's Rego rules (rego.Limits,
// named here for those who configure bundles without importing the
// backend).
type RuleLimits = rego.Limits

// VerificationKey is the verification config for one key: a PEM public key
// (RS*, PS*, ES* algorithms) or an HMAC secret (HS*), as `opa run
// --verification-key` takes it. alg "" is RS256, OPA's default.
func VerificationKey(key []byte, alg string) (*opabundle.VerificationConfig, error) {
	if alg == "" {
		alg = "RS256"
	}
	kc := &opabundle.KeyConfig{Key: string(key), Algorithm: alg}
	vc := opabundle.NewVerificationConfig(map[string]*opabundle.KeyConfig{"default": kc}, "default", "", nil)
	if err := vc.ValidateAndInjectDefaults(vc.PublicKeys); err != nil {
		return nil, fmt.Errorf("verification key: %w", err)
	}
	return vc, nil
}

// LoadPath reads a bundle directory or a .tar.gz file.
func LoadPath(ctx context.Context, p string) (*policies.Revision, error) {
	return LoadPathWith(ctx, Config{Source: p}, p)
}

// LoadPathWith reads a bundle directory or a .tar.gz file with cfg.
func LoadPathWith(ctx context.Context, cfg Config, p string) (*policies.Revision, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("opening bundle: %w", err)
	}
	if st.IsDir() {
		cfg = cfg.withDefaults()
		if err := checkFS(os.DirFS(p), cfg); err != nil {
			return nil, refusal(cfg.Source, err)
		}
		return load(ctx, cfg, opabundle.NewDirectoryLoader(p))
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("opening bundle: %w", err)
	}
	defer f.Close()
	return LoadTarball(ctx, cfg, f)
}

// LoadTarball reads a bundle from a gzipped tarball. The tarball is read
// twice, first to check its bounds: r is rewound when it is an
// io.ReadSeeker, else read into memory, up to the bundle's bound.
func LoadTarball(ctx context.Context, cfg Config, r io.Reader) (*policies.Revision, error) {
	cfg = cfg.withDefaults()
	r, err := checkTarballOnce(r, cfg)
	if err != nil {
		return nil, refusal(cfg.Source, err)
	}
	return load(ctx, cfg, opabundle.NewTarballLoaderWithBaseURL(r, ""))
}

// LoadFS reads a bundle from the root of fsys (an embedded bundle).
func LoadFS(ctx context.Context, cfg Config, fsys fs.FS) (*policies.Revision, error) {
	cfg = cfg.withDefaults()
	if err := checkFS(fsys, cfg); err != nil {
		return nil, refusal(cfg.Source, err)
	}
	return load(ctx, cfg, opabundle.NewFSLoaderWithRoot(fsys, "."))
}

func load(ctx context.Context, cfg Config, dl opabundle.DirectoryLoader) (*policies.Revision, error) {
	cfg = cfg.withDefaults()
	rec := &recorder{DirectoryLoader: dl.WithSizeLimitBytes(cfg.MaxBytes), max: cfg.MaxBytes}
	reader := opabundle.NewCustomReader(rec).
		WithSizeLimitBytes(cfg.MaxBytes).
		WithRegoVersion(ast.RegoV1)
	if cfg.Verification != nil {
		reader = reader.WithBundleVerificationConfig(cfg.Verification)
	} else {
		reader = reader.WithSkipBundleVerification(true)
	}
	b, err := reader.Read()
	if err != nil {
		return nil, rec.withLines(&LoadError{Source: cfg.Source, Problems: readProblems(err)})
	}
	rev, err := build(ctx, cfg, &b, rec.files, rec.wasm)
	return rev, rec.withLines(err)
}

// build validates and compiles a bundle that OPA's reader accepted.
func build(ctx context.Context, cfg Config, b *opabundle.Bundle, files []string, modules map[string][]byte) (*policies.Revision, error) {
	var problems []Problem
	campaigns, ps := readCampaigns(b, files)
	problems = append(problems, ps...)
	program, ps := readLoyalty(b, files)
	problems = append(problems, ps...)
	triggers, ps := readTriggers(b, files, campaigns, program, cfg.Endpoints)
	problems = append(problems, ps...)
	problems = append(problems, compileWhen(b, campaigns, files)...)
	compiler, ps := compile(b)
	problems = append(problems, ps...)
	problems = append(problems, checkRules(withCompiledRules(parsed(b), b), campaigns, files)...)
	problems = append(problems, checkModules(campaigns, files, modules)...)
	if len(problems) > 0 {
		return nil, &LoadError{Source: cfg.Source, Problems: problems}
	}
	var native policies.Rules
	if !cfg.WhenInRego {
		if native, problems = prepareWhen(campaigns, files); len(problems) > 0 {
			return nil, &LoadError{Source: cfg.Source, Problems: problems}
		}
	}
	rules, err := regoRules(ctx, b, compiler, campaigns, native != nil, cfg.RuleLimits)
	if err != nil {
		return nil, &LoadError{Source: cfg.Source, Problems: []Problem{{Message: err.Error()}}}
	}
	if rules, problems = loadWasm(ctx, cfg, b, campaigns, modules, rules, native); len(problems) > 0 {
		return nil, &LoadError{Source: cfg.Source, Problems: problems}
	}
	rev, err := policies.NewRevision(revisionID(b), cfg.Source, campaigns, rules)
	if err != nil {
		return nil, &LoadError{Source: cfg.Source, Problems: []Problem{{Message: err.Error()}}}
	}
	rev.Loyalty = program
	rev.Triggers = triggers
	return rev, nil
}

// readCampaigns validates every document under data.promo.campaigns.
func readCampaigns(b *opabundle.Bundle, files []string) ([]*policies.Campaign, []Problem) {
	promo, _ := b.Data["promo"].(map[string]any)
	raw, ok := promo["campaigns"]
	if !ok {
		return nil, nil
	}
	docs, ok := raw.(map[string]any)
	if !ok {
		return nil, []Problem{{File: dataFile(files, "promo/campaigns"), Field: "promo.campaigns", Message: "must be an object of campaigns by id"}}
	}
	ids := make([]string, 0, len(docs))
	for id := range docs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var out []*policies.Campaign
	var problems []Problem
	for _, id := range ids {
		file := dataFile(files, "promo/campaigns/"+id)
		doc, ok := docs[id].(map[string]any)
		if !ok {
			problems = append(problems, Problem{File: file, Field: "promo.campaigns." + id, Message: "campaign must be an object"})
			continue
		}
		c, err := policies.ParseCampaign(id, doc)
		var ce *policies.CampaignError
		if errors.As(err, &ce) {
			for _, p := range ce.Problems {
				problems = append(problems, Problem{File: file, Field: campaignField(id, p.Field), Message: p.Message})
			}
			continue
		}
		out = append(out, c)
	}
	return out, problems
}

func campaignField(id, f string) string {
	if f == "" {
		return "campaigns." + id
	}
	return "campaigns." + id + "." + f
}

// dataFile finds the data file a document at dir came from: the deepest
// data.json or data.yaml at or above it.
func dataFile(files []string, dir string) string {
	for d := dir; ; d = path.Dir(d) {
		for _, name := range []string{"data.json", "data.yaml", "data.yml"} {
			want := path.Join(d, name)
			for _, f := range files {
				if strings.TrimPrefix(f, "/") == want {
					return want
				}
			}
		}
		if d == "." || d == "/" || d == "" {
			return ""
		}
	}
}

func revisionID(b *opabundle.Bundle) string {
	if b.Manifest.Revision != "" {
		return b.Manifest.Revision
	}
	h := sha256.New()
	mods := append([]opabundle.ModuleFile(nil), b.Modules...)
	sort.Slice(mods, func(i, j int) bool { return mods[i].Path < mods[j].Path })
	for _, m := range mods {
		fmt.Fprintf(h, "%s\x00%s\x00", m.Path, m.Raw)
	}
	data, _ := json.Marshal(b.Data)
	h.Write(data)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}

// readProblems splits OPA's parse errors into one problem per error.
func readProblems(err error) []Problem {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return []Problem{{Message: err.Error()}}
	}
	return astProblems(errs)
}

func astProblems(errs ast.Errors) []Problem {
	out := make([]Problem, 0, len(errs))
	for _, e := range errs {
		p := Problem{Message: e.Code + ": " + e.Message}
		if e.Location != nil {
			p.File, p.Line = strings.TrimPrefix(e.Location.File, "/"), e.Location.Row
		}
		out = append(out, p)
	}
	return out
}

// recorder remembers the paths of the files a loader hands out, so that
// problems in merged data documents can name their file.
type recorder struct {
	opabundle.DirectoryLoader
	files []string
	max   int64             // size limit of one file
	wasm  map[string][]byte // custom modules by name (see keepWasm)
	data  map[string][]byte // data files by path (see keepData)
}

func (r *recorder) NextFile() (*opabundle.Descriptor, error) {
	d, err := r.DirectoryLoader.NextFile()
	if d != nil {
		r.files = append(r.files, strings.TrimPrefix(d.Path(), "/"))
		if d, err = r.keepWasm(d); err != nil {
			return nil, err
		}
		if d, err = r.keepData(d); err != nil {
			return nil, err
		}
	}
	return d, err
}
