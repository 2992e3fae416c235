package rego_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	opabundle "github.com/open-policy-agent/opa/v1/bundle"

	"github.com/promoedge/promoedge/examples"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/policies/pricetest"
	"github.com/promoedge/promoedge/policies/rego"
)

// TestOPAWasmAnswersAsRego prices the same requests with the Rego form and
// the OPA-wasm form of every example bundle (the embedded default bundle
// and the bundle of each pricing case file) and wants the same decisions.
// OPA's wasm target silently answers "undefined" when it is handed the
// store's AST values as data: this is the test that would notice.
func TestOPAWasmAnswersAsRego(t *testing.T) {
	t.Run("examples/default", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.CopyFS(dir, examples.Default()); err != nil {
			t.Fatal(err)
		}
		compareForms(t, dir, defaultRequests(60))
	})
	files, _ := filepath.Glob("../testdata/cases/*.yaml")
	if len(files) == 0 {
		t.Fatal("no pricing case files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			dir, reqs := caseBundle(t, f)
			if len(reqs) > 0 {
				compareForms(t, dir, reqs)
			}
		})
	}
}

// compareForms loads dir as Rego, as built by bundle.BuildWasm and, when the opa
// CLI is there, as built by `opa build -t wasm`, and compares decisions.
func compareForms(t *testing.T, dir string, reqs [][]byte) {
	t.Helper()
	ctx := context.Background()
	regoRev, err := bundle.LoadPath(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string]*policies.Revision{"bundle.BuildWasm": loadTar(t, buildWasm(t, dir))}
	switch opa, hand := opaCLI(), handWritten(t, dir); {
	case opa == "":
		t.Log("no opa CLI (set OPA or put it at /tmp/tools/opa): comparing bundle.BuildWasm's form only")
	case len(hand) == 0:
		t.Log("no hand-written rule (the opa CLI knows nothing of when: blocks): comparing bundle.BuildWasm's form only")
	default:
		forms["opa build -t wasm"] = loadTar(t, buildCLI(t, opa, dir, hand))
	}
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	for name, wasmRev := range forms {
		if !usesCompiled(wasmRev) {
			t.Fatalf("%s: no campaign is decided by policy.wasm", name)
		}
		lenient := 0
		for i, body := range reqs {
			want := decide(t, regoRev, body, now)
			got := decide(t, wasmRev, body, now)
			lenient += nonStrict(want, got)
			if w, g := marshal(want), marshal(got); w != g {
				t.Errorf("%s, request %d %s:\nrego: %s\nwasm: %s", name, i, body, w, g)
			}
		}
		if lenient > 0 {
			t.Logf("%s: %d rule runs failed on a builtin error in Rego (\"error\") and were undefined in wasm (\"rule\")", name, lenient)
		}
	}
}

// nonStrict accounts for the one difference the two forms have by design:
// OPA's wasm target has no strict mode, so a builtin that fails (say
// time.parse_ns of 29 February in a common year) makes its expression
// undefined, where the Rego evaluator (strict) rejects the campaign with
// "error". Such a rejection is made the same in both; how many were is
// returned.
func nonStrict(rego, wasm *policies.Decision) int {
	n := 0
	for i := range rego.Rejected {
		r := &rego.Rejected[i]
		if r.Reason != policies.RuleError || i >= len(wasm.Rejected) {
			continue
		}
		if w := &wasm.Rejected[i]; w.Campaign == r.Campaign && w.Reason == policies.RuleFailed {
			w.Reason, w.Details = r.Reason, r.Details
			n++
		}
	}
	return n
}

func marshal(d *policies.Decision) string {
	out, _ := json.Marshal(d)
	return string(out)
}

func usesCompiled(rev *policies.Revision) bool {
	r, ok := rev.Rules().(*policies.Router)
	return ok && r.Backend(bundle.BackendPolicyWasm) != nil
}

// decide prices body and returns the decision as JSON, without the bundle
// revision and with the details of rule errors (whose wording is each
// engine's own) left out.
func decide(t *testing.T, rev *policies.Revision, body []byte, now time.Time) *policies.Decision {
	t.Helper()
	req, err := policies.DecodeRequest(body, now)
	if err != nil {
		t.Fatalf("request %s: %v", body, err)
	}
	e := policies.NewEngine(policies.Config{})
	e.Swap(rev)
	dec, err := e.Evaluate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	dec.BundleRevision = ""
	for i := range dec.Rejected {
		if dec.Rejected[i].Reason == policies.RuleError {
			dec.Rejected[i].Details = nil
		}
	}
	return dec
}

func buildWasm(t *testing.T, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := bundle.BuildWasm(context.Background(), dir, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// handWritten lists the rule packages of the bundle's own modules.
func handWritten(t *testing.T, dir string) []string {
	t.Helper()
	b, err := opabundle.NewCustomReader(opabundle.NewDirectoryLoader(dir)).WithRegoVersion(ast.RegoV1).Read()
	if err != nil {
		t.Fatal(err)
	}
	return rego.RulePackages(&b)
}

func opaCLI() string {
	if p := os.Getenv("OPA"); p != "" {
		return p
	}
	if p, err := exec.LookPath("opa"); err == nil {
		return p
	}
	if _, err := os.Stat("/tmp/tools/opa"); err == nil {
		return "/tmp/tools/opa"
	}
	return ""
}

func buildCLI(t *testing.T, opa, dir string, rules []string) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "bundle.tar.gz")
	args := []string{"build", "-t", "wasm", "-b", dir, "-o", out}
	for _, r := range rules {
		args = append(args, "-e", rego.RuleEntrypoint(r))
	}
	if msg, err := exec.Command(opa, args...).CombinedOutput(); err != nil {
		t.Fatalf("opa %s: %v\n%s", strings.Join(args, " "), err, msg)
	}
	tar, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return tar
}

func loadTar(t *testing.T, tar []byte) *policies.Revision {
	t.Helper()
	rev, err := bundle.LoadTarball(context.Background(), bundle.Config{Source: "wasm form"}, bytes.NewReader(tar))
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// caseBundle writes the bundle of a pricing case file and returns its
// requests.
func caseBundle(t *testing.T, file string) (string, [][]byte) {
	t.Helper()
	f, err := pricetest.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if f.Bundle == nil || len(f.Bundle.Rules) == 0 {
		return "", nil
	}
	dir := t.TempDir()
	if err := f.Bundle.WriteDir(dir, "cases"); err != nil {
		t.Fatal(err)
	}
	reqs := make([][]byte, len(f.Cases))
	for i := range f.Cases {
		if reqs[i], err = json.Marshal(f.Request(&f.Cases[i])); err != nil {
			t.Fatal(err)
		}
	}
	return dir, reqs
}

func write(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// defaultRequests draws n requests for the default bundle's rules from a
// fixed seed: tiers, birthdays, sign-up dates, last orders, countries,
// stores, carts and codes in every combination the rules look at.
func defaultRequests(n int) [][]byte {
	r := rand.New(rand.NewPCG(5, 5))
	pick := func(opts ...string) string { return opts[r.IntN(len(opts))] }
	var out [][]byte
	for range n {
		items := []string{`{"id":"l1","sku":"SOCK-RED","categories":["socks"],"quantity":2,"unit_price":1200}`}
		if r.IntN(2) == 0 {
			items = append(items, `{"id":"l2","sku":"IPHONE-X-64GB","categories":["phones"],"quantity":1,"unit_price":69900}`)
		}
		if r.IntN(2) == 0 {
			items = append(items, `{"id":"l3","sku":"CASE-LEATHER","categories":["cases"],"quantity":1,"unit_price":4999}`)
		}
		customer := ""
		if r.IntN(5) > 0 {
			customer = fmt.Sprintf(`,"customer":{"id":"u-%d","tier":%s,"birthday":%s,"created_at":%s,%s"orders_count":%s,"country":%s,"segments":%s,"timezone":%s}`,
				r.IntN(1000), pick(`"vip"`, `"premium"`, `"advanced"`, `"basic"`, `"none"`),
				pick(`"1990-11-26"`, `"1985-05-01"`, `"2000-11-21"`, `"1992-02-29"`),
				pick(`"2025-11-22T10:00:00Z"`, `"2024-01-01T00:00:00Z"`, `"2025-11-27T00:00:00Z"`),
				pick(`"last_order_at":"2026-01-01T00:00:00Z",`, `"last_order_at":"2026-11-01T00:00:00Z",`, ``),
				pick("0", "7"), pick(`"IE"`, `"DE"`, `"US"`), pick(`[]`, `["complained"]`, `["newsletter","complained"]`),
				pick(`"Europe/Dublin"`, `"Pacific/Kiritimati"`, `"UTC"`))
		}
		codes := pick(`[]`, `["SORRY15"]`, `["sorry15","NOPE"]`)
		body := fmt.Sprintf(`{"cart":{"id":"c","currency":%s,"items":[%s],"shipping":{"method":"standard","amount":599}},"context":{"now":%s,"channel":"web"%s},"codes":%s%s}`,
			pick(`"USD"`, `"USD"`, `"EUR"`), strings.Join(items, ","),
			pick(`"2026-11-24T12:00:00Z"`, `"2026-03-17T09:00:00Z"`, `"2026-12-31T23:30:00Z"`),
			pick(`,"store_id":"berlin-1"`, ``), codes, customer)
		out = append(out, []byte(body))
	}
	return out
}
