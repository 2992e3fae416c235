package bundle_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

const vipRule = `package promo.rules.vip

default eligible := false

eligible if input.customer.tier == "vip"
`

// files is a bundle's content by path.
type files map[string]string

func (fs files) writeDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range fs {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func (fs files) tarGz(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, name := range slices.Sorted(maps.Keys(fs)) {
		hdr := &tar.Header{Name: "/" + name, Mode: 0o644, Size: int64(len(fs[name])), Typeflag: tar.TypeReg, ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(fs[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func loadError(t *testing.T, err error) *bundle.LoadError {
	t.Helper()
	var le *bundle.LoadError
	if !errors.As(err, &le) {
		t.Fatalf("load = %v, want a *bundle.LoadError", err)
	}
	if !errors.Is(err, bundle.ErrInvalidBundle) {
		t.Errorf("%v does not match ErrInvalidBundle", err)
	}
	return le
}

func TestLoadListsEveryProblem(t *testing.T) {
	dir := files{
		".manifest":                           `{"revision": "broken-1"}`,
		"promo/campaigns/ok/data.json":        `{"rule": "vip", "effects": [{"type": "free_shipping"}]}`,
		"promo/campaigns/bad-type/data.json":  `{"effects": [{"type": "percent_of", "percent": 10}]}`,
		"promo/campaigns/bad-pct/data.json":   `{"effects": [{"type": "percent_off", "percent": 12.345}]}`,
		"promo/campaigns/typo/data.yaml":      "prority: 5\neffects:\n  - {type: free_shipping}\n",
		"promo/campaigns/no-rule/data.json":   `{"rule": "vpi", "effects": [{"type": "free_shipping"}]}`,
		"promo/campaigns/two-zones/data.json": `{"timezone": "Mars/Olympus", "valid_from": "2026-01-01", "valid_until": "2025-01-01", "effects": []}`,
		"promo/rules/vip.rego":                vipRule,
	}.writeDir(t)
	_, err := bundle.LoadPath(context.Background(), dir)
	le := loadError(t, err)
	want := []bundle.Problem{
		{File: "promo/campaigns/bad-pct/data.json", Field: "campaigns.bad-pct.effects[0].percent"},
		{File: "promo/campaigns/bad-type/data.json", Field: "campaigns.bad-type.effects[0].type"},
		{File: "promo/campaigns/two-zones/data.json", Field: "campaigns.two-zones.timezone"},
		{File: "promo/campaigns/two-zones/data.json", Field: "campaigns.two-zones.valid_until"},
		{File: "promo/campaigns/typo/data.yaml", Field: "campaigns.typo.prority"},
		{File: "promo/campaigns/no-rule/data.json", Field: "campaigns.no-rule.rule"},
	}
	if len(le.Problems) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(le.Problems), len(want), err)
	}
	for i, p := range le.Problems {
		if p.File != want[i].File || p.Field != want[i].Field || p.Message == "" {
			t.Errorf("problem %d = %+v, want file %s field %s", i, p, want[i].File, want[i].Field)
		}
	}
	if msg := le.Problems[len(want)-1].Message; !strings.Contains(msg, `did you mean "vip"?`) {
		t.Errorf("missing rule: %q suggests nothing", msg)
	}
	if !strings.Contains(le.Problems[1].Message, `did you mean "percent_off"?`) {
		t.Errorf("unknown effect: %q suggests nothing", le.Problems[1].Message)
	}
	if le.Source != dir || !strings.Contains(err.Error(), "(6 problems)") {
		t.Errorf("error %q from source %q", err, le.Source)
	}
}

func TestLoadNamesFileAndLineOfRegoErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		module string
		line   int
		code   string
	}{
		// the parser points at the token it did not expect: the } on line 7
		{"syntax error", "package promo.rules.vip\n\ndefault eligible := false\n\neligible if {\n\tinput.x ==\n}\n", 7, "rego_parse_error"},
		{"unsafe variable", "package promo.rules.vip\n\ndefault eligible := false\n\neligible if {\n\tx > 1\n}\n", 6, "rego_unsafe_var_error"},
		{"network builtin", "package promo.rules.vip\n\ndefault eligible := false\n\n" +
			"eligible if http.send({\"method\": \"get\", \"url\": \"http://x\"}).status_code == 200\n", 5, "rego_type_error"},
		{"clock builtin", "package promo.rules.vip\n\ndefault eligible := false\n\neligible if time.now_ns() > 0\n", 5, "rego_type_error"},
		{"random builtin", "package promo.rules.vip\n\ndefault eligible := false\n\neligible if rand.intn(\"x\", 2) == 0\n", 5, "rego_type_error"},
		{"uuid builtin", "package promo.rules.vip\n\ndefault eligible := false\n\neligible if uuid.rfc4122(\"x\") != \"\"\n", 5, "rego_type_error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := files{
				".manifest":                     `{"revision": "r"}`,
				"promo/campaigns/vip/data.json": `{"rule": "vip", "effects": [{"type": "free_shipping"}]}`,
				"promo/rules/vip.rego":          tc.module,
			}.writeDir(t)
			_, err := bundle.LoadPath(context.Background(), dir)
			le := loadError(t, err)
			if len(le.Problems) == 0 {
				t.Fatal("no problems")
			}
			p := le.Problems[0]
			if p.File != "promo/rules/vip.rego" || p.Line != tc.line || !strings.HasPrefix(p.Message, tc.code) {
				t.Errorf("problem = %+v, want promo/rules/vip.rego:%d %s", p, tc.line, tc.code)
			}
		})
	}
}

func TestLoadChecksRuleNamesWhenRegoDoesNotCompile(t *testing.T) {
	dir := files{
		"promo/campaigns/vip/data.json":   `{"rule": "vip", "effects": [{"type": "free_shipping"}]}`,
		"promo/campaigns/other/data.json": `{"rule": "missing", "effects": [{"type": "free_shipping"}]}`,
		"promo/rules/vip.rego":            "package promo.rules.vip\n\neligible if {\n\tx > 1\n}\n",
	}.writeDir(t)
	_, err := bundle.LoadPath(context.Background(), dir)
	le := loadError(t, err)
	var got []string
	for _, p := range le.Problems {
		got = append(got, fmt.Sprintf("%s:%d %s", p.File, p.Line, p.Field))
	}
	want := []string{"promo/rules/vip.rego:4 ", "promo/campaigns/other/data.json:1 campaigns.other.rule"}
	if !slices.Equal(got, want) {
		t.Errorf("problems at %q, want %q (%v)", got, want, err)
	}
}

func TestLoadRefusesARuleWithoutEligible(t *testing.T) {
	dir := files{
		"promo/campaigns/vip/data.json": `{"rule": "vip", "effects": [{"type": "free_shipping"}]}`,
		"promo/rules/vip.rego":          "package promo.rules.vip\n\nallowed := true\n",
	}.writeDir(t)
	_, err := bundle.LoadPath(context.Background(), dir)
	le := loadError(t, err)
	if len(le.Problems) != 1 || le.Problems[0].Field != "campaigns.vip.rule" || le.Problems[0].File != "promo/campaigns/vip/data.json" {
		t.Errorf("problems = %+v", le.Problems)
	}
}

var goodBundle = files{
	".manifest":                        `{"revision": "2026-11-24.3"}`,
	"promo/campaigns/vip-10/data.json": `{"rule": "vip", "priority": 10, "effects": [{"type": "percent_off", "percent": 10}]}`,
	"promo/campaigns/ship/data.yaml":   "code: SHIP\neffects:\n  - {type: free_shipping, max_discount: 500}\n",
	"promo/rules/vip.rego":             vipRule,
}

const vipRequest = `{"cart": {"currency": "USD", "items": [{"id": "l1", "quantity": 1, "unit_price": 10000}],
	"shipping": {"amount": 599}}, "customer": {"tier": "vip"}, "context": {"now": "2026-11-24T12:00:00Z"}, "codes": ["ship"]}`

// checkGood prices vipRequest on a revision of goodBundle.
func checkGood(t *testing.T, rev *policies.Revision, source string) {
	t.Helper()
	if rev.ID != "2026-11-24.3" || rev.Source != source || len(rev.Campaigns()) != 2 {
		t.Fatalf("revision %q from %q with %d campaigns", rev.ID, rev.Source, len(rev.Campaigns()))
	}
	eng := policies.NewEngine(policies.Config{})
	eng.Swap(rev)
	req, err := policies.DecodeRequest([]byte(vipRequest), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := eng.Evaluate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Discount != 1000 || dec.ShippingDiscount != 500 || dec.Total != 9099 || len(dec.Applied) != 2 || dec.BundleRevision != rev.ID {
		t.Errorf("decision = %+v", dec)
	}
}

func TestLoadTarGz(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bundle.tar.gz")
	if err := os.WriteFile(path, goodBundle.tarGz(t), 0o644); err != nil {
		t.Fatal(err)
	}
	rev, err := bundle.LoadPath(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	checkGood(t, rev, path)

	rev, err = bundle.LoadTarball(context.Background(), bundle.Config{Source: "upload"}, bytes.NewReader(goodBundle.tarGz(t)))
	if err != nil {
		t.Fatal(err)
	}
	checkGood(t, rev, "upload")
}

func TestLoadDirAndFS(t *testing.T) {
	dir := goodBundle.writeDir(t)
	rev, err := bundle.LoadPath(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	checkGood(t, rev, dir)

	fsys := fstest.MapFS{}
	for name, content := range goodBundle {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	rev, err = bundle.LoadFS(context.Background(), bundle.Config{Source: "embedded"}, fsys)
	if err != nil {
		t.Fatal(err)
	}
	checkGood(t, rev, "embedded")
}

func TestLoadTarGzWithBrokenCampaign(t *testing.T) {
	broken := maps.Clone(goodBundle)
	broken["promo/campaigns/ship/data.yaml"] = "code: SHIP\neffects:\n  - {type: free_shiping}\n"
	_, err := bundle.LoadTarball(context.Background(), bundle.Config{Source: "upload"}, bytes.NewReader(broken.tarGz(t)))
	le := loadError(t, err)
	if len(le.Problems) != 1 || le.Problems[0].File != "promo/campaigns/ship/data.yaml" || le.Problems[0].Field != "campaigns.ship.effects[0].type" {
		t.Errorf("problems = %+v", le.Problems)
	}
}

func TestLoadRefusesSharedCodes(t *testing.T) {
	dir := files{
		"promo/campaigns/a/data.json": `{"code": "SUMMER", "effects": [{"type": "free_shipping"}]}`,
		"promo/campaigns/b/data.json": `{"code": "summer", "effects": [{"type": "free_shipping"}]}`,
	}.writeDir(t)
	_, err := bundle.LoadPath(context.Background(), dir)
	le := loadError(t, err)
	if len(le.Problems) != 1 || !strings.Contains(le.Problems[0].Message, "share the code") {
		t.Errorf("problems = %+v", le.Problems)
	}
}
