package client_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/sidecar/client"
)

func TestGenerateCodesStreamsInBatches(t *testing.T) {
	_, ln := serveTCP(t, adminToken)
	c := tcpClient(t, ln, client.WithAdminToken(adminToken))
	ctx := context.Background()
	const n = 20_000
	seen := make(map[string]bool, n)
	var ordered []string
	batches := 0
	got, err := c.GenerateCodes(ctx, "vouchers", client.CodeSpec{Count: n, Pattern: "####-????", Prefix: "GC-"}, func(b []string) error {
		if len(b) == 0 || len(b) > 1024 {
			return fmt.Errorf("batch of %d codes", len(b))
		}
		batches++
		for _, code := range b {
			if seen[code] {
				return fmt.Errorf("code %s twice", code)
			}
			if len(code) != len("GC-1234-ABCD") || !strings.HasPrefix(code, "GC-") {
				return fmt.Errorf("code %q does not follow GC-####-????", code)
			}
			seen[code] = true
		}
		ordered = append(ordered, b...)
		return nil
	})
	if err != nil || got != n || len(seen) != n {
		t.Fatalf("delivered %d, %d unique: %v", got, len(seen), err)
	}
	if batches < n/1024 {
		t.Fatalf("%d codes came in %d batches", n, batches)
	}
	for i := 0; i < n; i += 997 {
		cd, err := c.Code(ctx, ordered[i])
		if err != nil || cd.Campaign != "vouchers" || cd.State != "active" || cd.Uses != 0 {
			t.Fatalf("code %d %s: %+v %v", i, ordered[i], cd, err)
		}
	}
}

func TestGenerateCodesErrors(t *testing.T) {
	_, ln := serveTCP(t, adminToken)
	ctx := context.Background()
	admin := tcpClient(t, ln, client.WithAdminToken(adminToken))
	spec := client.CodeSpec{Count: 10, Pattern: "E-####"}
	never := func([]string) error { return errors.New("no code expected") }
	var apiErr *client.APIError
	for _, tc := range []struct {
		name     string
		c        *client.Client
		campaign string
		spec     client.CodeSpec
		want     error
		field    string
	}{
		{"unknown campaign", admin, "nope", spec, client.ErrNotFound, ""},
		{"bad pattern", admin, "vouchers", client.CodeSpec{Count: 10, Pattern: "NOVARY"}, client.ErrBadRequest, "pattern"},
		{"lower case", admin, "vouchers", client.CodeSpec{Count: 10, Pattern: "e-###"}, client.ErrBadRequest, "pattern"},
		{"count 0", admin, "vouchers", client.CodeSpec{Pattern: "E-###"}, client.ErrBadRequest, "pattern"},
		{"no unique codes", admin, "socks-bogo", spec, client.ErrBadRequest, "campaign"},
		{"no token", tcpClient(t, ln), "vouchers", spec, client.ErrUnauthorized, ""},
		{"wrong token", tcpClient(t, ln, client.WithAdminToken("wrong")), "vouchers", spec, client.ErrUnauthorized, ""},
	} {
		n, err := tc.c.GenerateCodes(ctx, tc.campaign, tc.spec, never)
		if n != 0 || !errors.Is(err, tc.want) || !errors.As(err, &apiErr) || apiErr.Field != tc.field || strings.Contains(err.Error(), "canceled") ||
			!strings.Contains(err.Error(), "/v1/campaigns/"+tc.campaign+"/codes") {
			t.Errorf("%s: %d codes, %v (%+v)", tc.name, n, err, *apiErr)
		}
	}

	// An error of emit stops the call, and is the call's error.
	stop := errors.New("stop")
	n, err := admin.GenerateCodes(ctx, "vouchers", client.CodeSpec{Count: 5000, Pattern: "S-#####"}, func([]string) error { return stop })
	if n != 0 || !errors.Is(err, stop) {
		t.Fatalf("emit failing: %d codes, %v", n, err)
	}
}

// A sidecar whose store fails midway ends the 200 answer with "#error:";
// the codes before it were delivered and are committed.
func TestGenerateCodesFailingMidway(t *testing.T) {
	stack, ln := serveTCP(t, adminToken)
	c := tcpClient(t, ln, client.WithAdminToken(adminToken))
	var last string
	n, err := c.GenerateCodes(context.Background(), "vouchers", client.CodeSpec{Count: 250_000, Pattern: "M-####-????"}, func(b []string) error {
		last = b[len(b)-1]
		return stack.Store.Close() // the sidecar's store batch in flight commits; the next fails
	})
	var se *client.StreamError
	if !errors.As(err, &se) || !errors.Is(err, client.ErrIncomplete) || se.Delivered != n || n == 0 || n >= 250_000 ||
		!strings.Contains(se.Message, "database not open") || se.Op != "POST /v1/campaigns/vouchers/codes" {
		t.Fatalf("%d codes, last %s: %v (%+v)", n, last, err, se)
	}
}

func TestLedgerExports(t *testing.T) {
	_, ln := serveTCP(t, adminToken)
	c := tcpClient(t, ln, client.WithAdminToken(adminToken))
	ctx := context.Background()
	var codes []string
	if _, err := c.GenerateCodes(ctx, "vouchers", client.CodeSpec{Count: 3, Pattern: "L-####"}, func(b []string) error {
		codes = append(codes, b...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(-time.Second)
	var ids []string
	for i, code := range codes {
		r, err := c.Redeem(ctx, cart(fmt.Sprint("o-", i), fmt.Sprint("k-", i), fmt.Sprint("u-", i%2), code))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.RedemptionID)
	}

	var nd bytes.Buffer
	var calls int64
	st, err := c.ExportLedger(ctx, client.LedgerQuery{Format: "ndjson"}, &nd, func(s client.LedgerStats) { calls = s.Records })
	lines := strings.Split(strings.TrimSuffix(nd.String(), "\n"), "\n")
	if err != nil || st.Records != 3 || calls != 3 || st.Bytes != int64(nd.Len()) || len(lines) != 3 {
		t.Fatalf("ndjson: %+v %v\n%s", st, err, nd.String())
	}
	for i, line := range lines {
		var r client.Redemption
		if err := json.Unmarshal([]byte(line), &r); err != nil || r.ID != ids[i] || r.Status != "redeemed" || r.Campaigns[0].Campaign == "" {
			t.Fatalf("ndjson line %d: %+v %v", i, r, err)
		}
	}

	var cs bytes.Buffer
	st, err = c.ExportLedger(ctx, client.LedgerQuery{Format: "csv", Customer: "u-0"}, &cs, nil)
	rows, cerr := csv.NewReader(&cs).ReadAll()
	if err != nil || cerr != nil || st.Records != 2 || len(rows) != 3 || rows[0][0] != "redemption_id" || rows[1][0] != ids[0] || rows[2][0] != ids[2] {
		t.Fatalf("csv for u-0: %+v %v %v\n%q", st, err, cerr, rows)
	}
	if !strings.Contains(rows[1][7], codes[0]) {
		t.Fatalf("csv row without its code %s: %q", codes[0], rows[1])
	}

	var js bytes.Buffer
	st, err = c.ExportLedger(ctx, client.LedgerQuery{Since: start, Campaign: "vouchers"}, &js, nil)
	var doc struct{ Redemptions []client.Redemption }
	if err != nil || st.Records != 3 || json.Unmarshal(js.Bytes(), &doc) != nil || len(doc.Redemptions) != 3 {
		t.Fatalf("json: %+v %v\n%s", st, err, js.String())
	}
	st, err = c.ExportLedger(ctx, client.LedgerQuery{Since: time.Now().Add(time.Hour)}, &js, nil)
	if err != nil || st.Records != 0 {
		t.Fatalf("json of nothing: %+v %v", st, err)
	}

	var got []string
	err = c.Redemptions(ctx, client.LedgerQuery{Customer: "u-1"}, func(r *client.Redemption) error {
		got = append(got, r.ID)
		return nil
	})
	if err != nil || len(got) != 1 || got[0] != ids[1] {
		t.Fatalf("redemptions of u-1: %v %v", got, err)
	}

	if _, err := c.ExportLedger(ctx, client.LedgerQuery{Format: "xml"}, &js, nil); !errors.Is(err, client.ErrBadRequest) {
		t.Fatalf("format xml: %v", err)
	}
}
