package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
)

// promoctl runs one command line; it returns stdout, stderr and the error.
func promoctl(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := promoctl(t, args...)
	if err != nil {
		t.Fatalf("promoctl %s: %v\n%s%s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// price evaluates body on the bundle at path.
func price(t *testing.T, rev *policies.Revision, body string) *policies.Decision {
	t.Helper()
	eng := policies.NewEngine(policies.Config{})
	eng.Swap(rev)
	req, err := policies.DecodeRequest([]byte(body), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dec, err := eng.Evaluate(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return dec
}

const welcomeRequest = `{"cart": {"currency": "USD", "items": [{"id": "l1", "sku": "MUG", "quantity": 3, "unit_price": 2000}]},
	"customer": {"id": "u1", "orders_count": 0}, "context": {"now": "2026-11-24T12:00:00Z"}}`

func TestInitLintTestBuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	mustRun(t, "init", dir)
	if _, _, err := promoctl(t, "init", dir); err == nil {
		t.Error("init into a bundle that exists succeeded")
	}
	if out := mustRun(t, "lint", dir); !strings.Contains(out, "ok, 1 campaigns") {
		t.Errorf("lint: %s", out)
	}
	if out := mustRun(t, "test", dir); !strings.Contains(out, "3 cases in 1 files") {
		t.Errorf("test: %s", out)
	}
	tarball := filepath.Join(t.TempDir(), "b.tar.gz")
	mustRun(t, "build", "-o", tarball, dir)
	rev, err := bundle.LoadPath(context.Background(), tarball)
	if err != nil {
		t.Fatal(err)
	}
	c, err := rev.Campaign("welcome-10")
	if err != nil || c.Rule != "welcome_10" || c.When != nil {
		t.Fatalf("built campaign %+v, %v: want rule welcome_10 and no when", c, err)
	}
	if d := price(t, rev, welcomeRequest); d.Discount != 600 {
		t.Errorf("built bundle: discount %d, want 600", d.Discount)
	}
}

func TestLintListsEveryProblemWithFileLineAndField(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"promo/campaigns/a/data.yaml":   "name: A\nwhen:\n  cart: {subtotl: {over: 100}}\neffects: [{type: free_shiping}]\n",
		"promo/campaigns/a/a_test.yaml": "cases:\n  - name: x\n    wnat: {total: 1}\n",
	})
	out, errOut, err := promoctl(t, "lint", dir)
	if !errors.Is(err, errFailed) {
		t.Fatalf("lint = %v", err)
	}
	for _, want := range []string{
		`promo/campaigns/a/data.yaml:4: campaigns.a.effects[0].type: unknown effect type "free_shiping"`,
		`promo/campaigns/a/data.yaml:3: campaigns.a.when.cart.subtotl: unknown cart condition; did you mean "subtotal"?`,
		`promo/campaigns/a/a_test.yaml:3: unknown field "wnat"; did you mean "want"?`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("lint output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "3 problems") {
		t.Errorf("stderr %q", errOut)
	}
}

func TestTestReportsFailuresWithLines(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "b")
	mustRun(t, "init", dir)
	file := filepath.Join(dir, "promo/campaigns/welcome-10/welcome-10_test.yaml")
	raw, _ := os.ReadFile(file)
	os.WriteFile(file, bytes.Replace(raw, []byte("total: 5400"), []byte("total: 5401"), 1), 0o644)
	out, _, err := promoctl(t, "test", dir)
	if !errors.Is(err, errFailed) || !strings.Contains(out, "welcome-10_test.yaml:8: FAIL a new customer over $50 gets 10% off\n\ttotal = 5400, want 5401") {
		t.Errorf("test = %v:\n%s", err, out)
	}
	out = mustRun(t, "test", "-run", "returning", "-v", dir)
	if !strings.Contains(out, "1 cases") {
		t.Errorf("-run: %s", out)
	}
}

// The default bundle's price tests, through the command.
func TestExamplesPriceTests(t *testing.T) {
	if out := mustRun(t, "test", "../../examples/default"); !strings.HasPrefix(out, "ok") {
		t.Errorf("%s", out)
	}
}

// readmeAnswer prices the README's request with the bundle at path and
// compares with the answer the README shows.
func readmeAnswer(t *testing.T, path string) {
	t.Helper()
	out := mustRun(t, "eval", "--bundle", path, "../../examples/requests/vip-birthday.json")
	want, err := os.ReadFile("../../examples/requests/vip-birthday.answer.json")
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal([]byte(out), &g); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(want, &w)
	if !reflect.DeepEqual(g, w) {
		t.Errorf("eval with %s:\n%s\nwant:\n%s", path, out, want)
	}
}

func TestEvalAndBuildTargets(t *testing.T) {
	readmeAnswer(t, "../../examples/default")
	for _, target := range []string{"rego", "wasm"} {
		t.Run(target, func(t *testing.T) {
			tarball := filepath.Join(t.TempDir(), "b.tar.gz")
			mustRun(t, "build", "--target", target, "-o", tarball, "../../examples/default")
			readmeAnswer(t, tarball)
			if target == "wasm" && !strings.Contains(listTar(t, tarball), "/policy.wasm") {
				t.Error("no policy.wasm in the wasm build")
			}
		})
	}
}

var keyOnce = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

// keys writes an RSA key pair as PEM files.
func keys(t *testing.T) (private, public string) {
	t.Helper()
	key, err := keyOnce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	private, public = filepath.Join(dir, "key.pem"), filepath.Join(dir, "pub.pem")
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	os.WriteFile(private, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}), 0o600)
	os.WriteFile(public, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
	return private, public
}

// verified loads path requiring a signature for the public key.
func verified(t *testing.T, path, public string) error {
	t.Helper()
	pub, _ := os.ReadFile(public)
	vc, err := bundle.VerificationKey(pub, "RS256")
	if err != nil {
		t.Fatal(err)
	}
	_, err = bundle.LoadPathWith(context.Background(), bundle.Config{Source: path, Verification: vc}, path)
	return err
}

func TestBuildSignedAndSign(t *testing.T) {
	private, public := keys(t)
	_, otherPublic := otherKeys(t)
	dir := filepath.Join(t.TempDir(), "b")
	mustRun(t, "init", dir)
	signed := filepath.Join(t.TempDir(), "signed.tar.gz")
	mustRun(t, "build", "--signing-key", private, "-o", signed, dir)
	if err := verified(t, signed, public); err != nil {
		t.Fatalf("signed build refused: %v", err)
	}
	if err := verified(t, signed, otherPublic); err == nil {
		t.Error("a signed build verified with another key")
	}
	unsigned := filepath.Join(t.TempDir(), "unsigned.tar.gz")
	mustRun(t, "build", "-o", unsigned, dir)
	if err := verified(t, unsigned, public); err == nil {
		t.Error("an unsigned build verified")
	}
	mustRun(t, "sign", "--signing-key", private, unsigned)
	if err := verified(t, unsigned, public); err != nil {
		t.Errorf("promoctl sign of a tarball refused: %v", err)
	}
	mustRun(t, "sign", "--signing-key", private, dir)
	if err := verified(t, dir, public); err != nil {
		t.Errorf("promoctl sign of a directory refused: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "promo/campaigns/welcome-10/data.yaml"), []byte("name: tampered\neffects: [{type: free_shipping}]\n"), 0o644)
	if err := verified(t, dir, public); err == nil {
		t.Error("a tampered directory verified")
	}
}

var otherOnce = sync.OnceValues(func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) })

func otherKeys(t *testing.T) (string, string) {
	t.Helper()
	key, err := otherOnce()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	public := filepath.Join(dir, "pub.pem")
	os.WriteFile(public, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
	return "", public
}

// With the official opa CLI at hand (OPA=path or /tmp/tools/opa), a bundle
// built and signed by `opa build --signing-key` from promoctl's expanded
// source is accepted like promoctl's own, and opa verifies promoctl's
// signature.
func TestOPACLICompatibility(t *testing.T) {
	opa := os.Getenv("OPA")
	if opa == "" {
		opa = "/tmp/tools/opa"
	}
	if _, err := os.Stat(opa); err != nil {
		t.Skip("no opa CLI (install: GOBIN=/tmp/tools go install github.com/open-policy-agent/opa@v1.22.2)")
	}
	private, public := keys(t)
	dir := filepath.Join(t.TempDir(), "b")
	mustRun(t, "init", dir)
	ours := filepath.Join(t.TempDir(), "ours.tar.gz")
	mustRun(t, "build", "--signing-key", private, "-o", ours, dir)
	// opa verifies the signatures of promoctl build and promoctl sign.
	resigned := filepath.Join(t.TempDir(), "resigned.tar.gz")
	mustRun(t, "build", "-o", resigned, dir)
	mustRun(t, "sign", "--signing-key", private, resigned)
	for _, b := range []string{ours, resigned} {
		cmd := exec.Command(opa, "build", "-b", b, "--verification-key", public, "-o", filepath.Join(t.TempDir(), "x.tar.gz"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("opa build --verification-key refused %s: %v\n%s", filepath.Base(b), err, out)
		}
	}
	// promoedge verifies opa's signature of a bundle promoctl compiled.
	theirs := filepath.Join(t.TempDir(), "theirs.tar.gz")
	extracted := filepath.Join(t.TempDir(), "src")
	untar(t, ours, extracted)
	os.Remove(filepath.Join(extracted, ".signatures.json"))
	cmd := exec.Command(opa, "build", "-b", ".", "--signing-key", private, "-o", theirs)
	cmd.Dir = extracted
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("opa build: %v\n%s", err, out)
	}
	if err := verified(t, theirs, public); err != nil {
		t.Errorf("opa's signed build refused: %v", err)
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
