package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/promoedge/promoedge/sidecar"
	"github.com/promoedge/promoedge/sidecar/client"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

const adminToken = "s3cret"

// vouchers is a campaign with generated codes, added to the example bundle.
const vouchers = `{"name": "Generated vouchers", "unique_codes": true, "priority": 5,
 "effects": [{"type": "amount_off", "amount": 500}]}`

// serve starts a real sidecar (bbolt, the example bundle and vouchers) on
// 127.0.0.1 and returns its URL.
func serve(t *testing.T) string {
	t.Helper()
	stack := sidecartest.ExampleStack(t, "", map[string]string{"promo/campaigns/vouchers/data.json": vouchers})
	_, url := sidecartest.StartTCP(t, stack.Deps, adminToken)
	return url
}

// readLines reads a file's lines.
func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// onlyFiles fails unless dir holds exactly names (no temporary files).
func onlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("%s holds %q, want %q", dir, got, names)
	}
}

func TestCodesWritesEveryCode(t *testing.T) {
	url := serve(t)
	t.Setenv(tokenEnv, adminToken)
	dir := t.TempDir()
	path := filepath.Join(dir, "codes.txt")
	const n = 100_000
	out, errOut, err := promoctl(t, "codes", "--url", url, "--campaign", "vouchers", "--count", fmt.Sprint(n),
		"--pattern", "####-????", "--prefix", "BF-", "--postfix", "-26", "-o", path)
	if err != nil || out != "" {
		t.Fatalf("promoctl codes: %v\n%s%s", err, out, errOut)
	}
	onlyFiles(t, dir, "codes.txt")
	codes := readLines(t, path)
	seen := make(map[string]bool, n)
	for _, c := range codes {
		if len(c) != len("BF-1234-ABCD-26") || !strings.HasPrefix(c, "BF-") || !strings.HasSuffix(c, "-26") || seen[c] {
			t.Fatalf("code %q (or a duplicate)", c)
		}
		seen[c] = true
	}
	if len(seen) != n {
		t.Fatalf("%d unique codes, want %d", len(seen), n)
	}
	// stderr is not a terminal: a plain line per tenth, then the summary.
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	last := lines[len(lines)-1]
	t.Logf("stderr:\n%s", errOut)
	if len(lines) < 2 || len(lines) > 11 || !strings.HasPrefix(last, fmt.Sprintf("wrote %d codes to %s in ", n, path)) || !strings.HasSuffix(last, "s") {
		t.Fatalf("stderr:\n%s", errOut)
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.Contains(l, "/100000 codes (") || !strings.HasSuffix(l, "/s") || strings.Contains(l, "\r") {
			t.Fatalf("progress line %q in\n%s", l, errOut)
		}
	}
	c, err := client.New(url, client.WithAdminToken(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < n; i += 9973 {
		if cd, err := c.Code(context.Background(), codes[i]); err != nil || cd.Campaign != "vouchers" || cd.State != "active" {
			t.Fatalf("code %s: %+v %v", codes[i], cd, err)
		}
	}

	// To stdout, with the token as a flag.
	t.Setenv(tokenEnv, "")
	out, errOut, err = promoctl(t, "codes", "--url", url, "--token", adminToken, "--campaign", "vouchers", "--count", "3", "--pattern", "S-#####")
	if got := strings.Fields(out); err != nil || len(got) != 3 || !strings.HasPrefix(got[0], "S-") || !strings.HasPrefix(errOut, "wrote 3 codes to stdout in ") {
		t.Fatalf("to stdout: %v %q %q", err, out, errOut)
	}
}

// refusingListener counts connections to a port where no sidecar runs.
func refusingListener(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var n atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			c.Close()
		}
	}()
	return "http://" + ln.Addr().String(), &n
}

func TestRemoteUsageErrors(t *testing.T) {
	url, calls := refusingListener(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"codes", "--count", "10", "--pattern", "A-###"}, "--campaign is required"},
		{[]string{"codes", "--campaign", "vouchers", "--pattern", "A-###"}, "--count must be from 1 to 1000000, got 0"},
		{[]string{"codes", "--campaign", "vouchers", "--count", "1000001", "--pattern", "A-###"}, "--count must be from 1 to 1000000"},
		{[]string{"codes", "--campaign", "vouchers", "--count", "10"}, "--pattern needs a # or ?"},
		{[]string{"codes", "--campaign", "vouchers", "--count", "x"}, `invalid value "x" for flag -count`},
		{[]string{"codes", "--campaign", "vouchers", "--count", "10", "--pattern", "A-#", "extra"}, `unexpected argument "extra"`},
		{[]string{"ledger", "--format", "xml"}, `--format must be ndjson, csv or json, got "xml"`},
		{[]string{"ledger", "--since", "yesterday"}, `--since must be an RFC 3339 time`},
		{[]string{"ledger", "--nope"}, "flag provided but not defined: -nope"},
	} {
		args := append(tc.args, "--url", url, "-o", out)
		_, errOut, err := promoctl(t, args...)
		if !errors.Is(err, errUsage) || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "usage: promoctl "+tc.args[0]) {
			t.Errorf("%q: %v\n%s", tc.args, err, errOut)
		}
	}
	if n := calls.Load(); n != 0 {
		t.Fatalf("bad command lines called the sidecar %d times", n)
	}
	onlyFiles(t, dir)
}

func TestRemoteServerErrors(t *testing.T) {
	url := serve(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "codes.txt")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"codes", "--token", "wrong", "--campaign", "vouchers", "--count", "10", "--pattern", "W-####"},
			[]string{"generating codes of vouchers: ", "401 unauthorized", "--token or $PROMOEDGE_ADMIN_TOKEN"}},
		{[]string{"codes", "--token", adminToken, "--campaign", "nope", "--count", "10", "--pattern", "W-####"},
			[]string{"generating codes of nope: ", "404 not_found", `unknown campaign: "nope"`}},
		{[]string{"codes", "--token", adminToken, "--campaign", "socks-bogo", "--count", "10", "--pattern", "W-####"},
			[]string{"400 invalid_request", "unique_codes: true"}},
		{[]string{"codes", "--token", adminToken, "--campaign", "vouchers", "--count", "10", "--pattern", "w-####"},
			[]string{"400 invalid_request", `pattern "w-####" has the character 'w'`}},
	} {
		out, errOut, err := promoctl(t, append(tc.args, "--url", url, "-o", path)...)
		if err == nil || errors.Is(err, errUsage) || out != "" || strings.Contains(errOut, "wrote") {
			t.Fatalf("%q: %v\n%s%s", tc.args, err, out, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: %v does not say %q", tc.args, err, w)
			}
		}
		onlyFiles(t, dir) // no codes.txt, no temporary file
	}
	if _, _, err := promoctl(t, "ledger", "--url", "unix://"+filepath.Join(dir, "none.sock"), "-o", path); err == nil ||
		!strings.Contains(err.Error(), "exporting the ledger: ") || !strings.Contains(err.Error(), "none.sock") {
		t.Fatalf("ledger of no sidecar: %v", err)
	}
	onlyFiles(t, dir)
}

func TestLedgerExport(t *testing.T) {
	url := serve(t)
	c, err := client.New(url, client.WithAdminToken(adminToken))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	var codes []string
	if _, err := c.GenerateCodes(ctx, "vouchers", client.CodeSpec{Count: 4, Pattern: "LG-####"}, func(b []string) error {
		codes = append(codes, b...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i, code := range codes {
		r, err := c.Redeem(ctx, &client.RedeemRequest{OrderID: fmt.Sprint("o-", i), IdempotencyKey: fmt.Sprint("k-", i),
			Request: client.Request{
				Cart:     client.Cart{Currency: "USD", Items: []client.Item{{ID: "l1", SKU: "MUG", Quantity: 1, UnitPrice: 4000}}},
				Customer: &client.Customer{ID: fmt.Sprint("u-", i%2)},
				Context:  &client.Context{Now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)},
				Codes:    []string{code},
			}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.RedemptionID)
	}

	dir := t.TempDir()
	path := filepath.Join(dir, "ledger.csv")
	// The ledger names customers: an admin endpoint (SPEC §4 v2).
	if _, errOut, err := promoctl(t, "ledger", "--url", url, "-o", path); err == nil || !strings.Contains(err.Error(), "--token or $"+tokenEnv) {
		t.Fatalf("ledger without a token: %v\n%s", err, errOut)
	}
	out, errOut, err := promoctl(t, "ledger", "--url", url, "--format", "csv", "--customer", "u-1", "-o", path, "--token", adminToken)
	if err != nil || out != "" || !strings.HasPrefix(errOut, "wrote 2 records (") || !strings.Contains(errOut, " to "+path+" in ") {
		t.Fatalf("ledger csv: %v\n%s%s", err, out, errOut)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 3 || rows[0][0] != "redemption_id" || rows[1][0] != ids[1] || rows[2][0] != ids[3] || rows[2][7] != codes[3] {
		t.Fatalf("csv: %v %q", err, rows)
	}
	onlyFiles(t, dir, "ledger.csv")

	t.Setenv(tokenEnv, adminToken) // the token from the environment, as an operator's shell has it
	out, errOut, err = promoctl(t, "ledger", "--url", url, "--campaign", "vouchers", "--since", "2020-01-01T00:00:00Z")
	if err != nil || !strings.HasPrefix(errOut, "wrote 4 records (") || !strings.Contains(errOut, " to stdout in ") {
		t.Fatalf("ledger ndjson: %v\n%s", err, errOut)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	for i := 0; sc.Scan(); i++ {
		var r client.Redemption
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.ID != ids[i] || r.Campaigns[len(r.Campaigns)-1].Code == "" && r.Campaigns[0].Code == "" {
			t.Fatalf("ndjson line %d: %+v %v", i, r, err)
		}
	}

	out, _, err = promoctl(t, "ledger", "--url", url, "--format", "json", "--customer", "nobody")
	if err != nil || strings.TrimSpace(out) != `{"redemptions":[]}` {
		t.Fatalf("json of nobody: %v %q", err, out)
	}
}

func TestDefaultURLIsTheSidecars(t *testing.T) {
	if want := "http://" + sidecar.DefaultConfig().Listen; defaultURL != want {
		t.Fatalf("defaultURL %s, the sidecar listens on %s", defaultURL, want)
	}
}
