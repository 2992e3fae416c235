package examples_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/promoedge/promoedge/examples"
	"github.com/promoedge/promoedge/policies"
	"github.com/promoedge/promoedge/policies/bundle"
	"github.com/promoedge/promoedge/sidecar/client"
	"github.com/promoedge/promoedge/sidecar/sidecartest"
)

// start serves the embedded default bundle through the real HTTP API and
// returns the Go client a checkout would use.
func start(t *testing.T) *client.Client {
	t.Helper()
	s := sidecartest.Start(t, sidecartest.ExampleEngine(t))
	c, err := client.New("http://sidecar", client.WithHTTPClient(s.Client))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// line is one cart line: sku, categories, quantity, unit price.
type line struct {
	sku   string
	cats  string // comma separated
	qty   int
	price int
}

// request builds an evaluate request at now (RFC 3339); customer is a JSON
// object or "", storeID "" for none.
func request(now string, lines []line, shipping int, customer, storeID string) *client.Request {
	at, err := time.Parse(time.RFC3339, now)
	if err != nil {
		panic(err)
	}
	req := &client.Request{
		Cart:    client.Cart{ID: "c1", Currency: "USD", Shipping: &client.Shipping{Method: "standard", Amount: int64(shipping)}},
		Context: &client.Context{Now: at, Channel: "web", StoreID: storeID},
	}
	for i, l := range lines {
		it := client.Item{ID: fmt.Sprintf("l%d", i+1), SKU: l.sku, Quantity: int64(l.qty), UnitPrice: int64(l.price)}
		if l.cats != "" {
			it.Categories = strings.Split(l.cats, ",")
		}
		req.Cart.Items = append(req.Cart.Items, it)
	}
	if customer != "" {
		req.Customer = new(client.Customer)
		if err := json.Unmarshal([]byte(customer), req.Customer); err != nil {
			panic(err)
		}
	}
	return req
}

func withCodes(req *client.Request, codes ...string) *client.Request {
	with := *req
	with.Codes = codes
	return &with
}

// evaluate prices req with the client; any error fails the test.
func evaluate(t *testing.T, c *client.Client, req *client.Request) *policies.Decision {
	t.Helper()
	d, err := c.Evaluate(context.Background(), req)
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}
	return d
}

// applied sums the amounts of a campaign's applied effects; ok is false if
// it did not apply.
func applied(d *policies.Decision, campaign string) (int64, bool) {
	var sum int64
	found := false
	for _, a := range d.Applied {
		if a.Campaign == campaign {
			sum += a.Amount
			found = true
		}
	}
	return sum, found
}

func rejection(d *policies.Decision, campaign string) *policies.Rejection {
	for i := range d.Rejected {
		if d.Rejected[i].Campaign == campaign {
			return &d.Rejected[i]
		}
	}
	return nil
}

func wantApplied(t *testing.T, d *policies.Decision, campaign string, amount int64) {
	t.Helper()
	got, ok := applied(d, campaign)
	if !ok {
		t.Fatalf("%s did not apply; rejected: %+v", campaign, rejection(d, campaign))
	}
	if got != amount {
		t.Fatalf("%s applied %d, want %d", campaign, got, amount)
	}
}

func wantRejected(t *testing.T, d *policies.Decision, campaign string, reason policies.Reason, detail string) {
	t.Helper()
	r := rejection(d, campaign)
	if r == nil {
		t.Fatalf("%s is not rejected (applied: %v)", campaign, d.Applied)
	}
	if r.Reason != reason {
		t.Fatalf("%s rejected with %q, want %q (%v)", campaign, r.Reason, reason, r.Details)
	}
	if detail != "" && !slices.Contains(r.Details, detail) {
		t.Fatalf("%s details %q lack %q", campaign, r.Details, detail)
	}
}

func wantTotals(t *testing.T, d *policies.Decision, discount, shippingDiscount, total int64) {
	t.Helper()
	if d.Discount != discount || d.ShippingDiscount != shippingDiscount || d.Total != total {
		t.Fatalf("discount %d shipping_discount %d total %d, want %d %d %d (applied %+v)",
			d.Discount, d.ShippingDiscount, d.Total, discount, shippingDiscount, total, d.Applied)
	}
	if d.Total != d.Subtotal+d.Shipping-d.Discount-d.ShippingDiscount {
		t.Fatalf("total %d does not add up", d.Total)
	}
}

const now = "2026-11-24T12:00:00Z"

func TestReengagement(t *testing.T) {
	s := start(t)
	// Last order 2026-06-01, more than 3 months before now: 20% off 120.00.
	d := evaluate(t, s, request(now, []line{{"SHOE-1", "shoes", 1, 12000}}, 0,
		`{"id":"u1","tier":"standard","last_order_at":"2026-06-01T10:00:00Z"}`, ""))
	wantApplied(t, d, "reengage-20", 2400)
	wantTotals(t, d, 2400, 0, 9600)
	// Ordered a month ago: not eligible, and the rule says why.
	d = evaluate(t, s, request(now, []line{{"SHOE-1", "shoes", 1, 12000}}, 0,
		`{"id":"u1","last_order_at":"2026-10-24T10:00:00Z"}`, ""))
	wantRejected(t, d, "reengage-20", policies.RuleFailed, "last order must be more than 90 days ago")
	// Exactly $100 is not over $100.
	d = evaluate(t, s, request(now, []line{{"SHOE-1", "shoes", 1, 10000}}, 0,
		`{"id":"u1","last_order_at":"2026-01-01T10:00:00Z"}`, ""))
	wantRejected(t, d, "reengage-20", policies.RuleFailed, "cart subtotal must be over $100")
}

func TestPremium30(t *testing.T) {
	s := start(t)
	d := evaluate(t, s, request(now, []line{{"TV-1", "tv", 1, 25001}}, 0, `{"id":"u2","tier":"premium"}`, ""))
	wantApplied(t, d, "premium-30", 3000)
	wantTotals(t, d, 3000, 0, 22001)
	d = evaluate(t, s, request(now, []line{{"TV-1", "tv", 1, 25000}}, 0, `{"id":"u2","tier":"premium"}`, ""))
	wantRejected(t, d, "premium-30", policies.RuleFailed, "cart subtotal must be over $250")
	d = evaluate(t, s, request(now, []line{{"TV-1", "tv", 1, 30000}}, 0, `{"id":"u2","tier":"basic"}`, ""))
	wantRejected(t, d, "premium-30", policies.RuleFailed, "customer tier must be premium")
}

func TestSorryVoucher(t *testing.T) {
	s := start(t)
	complained := `{"id":"u3","segments":["newsletter","complained"]}`
	body := request(now, []line{{"MUG-1", "kitchen", 2, 2500}}, 0, complained, "")
	// Without the code the voucher is in neither list.
	d := evaluate(t, s, body)
	if _, ok := applied(d, "sorry-voucher"); ok || rejection(d, "sorry-voucher") != nil {
		t.Fatalf("voucher without its code must be left out: %+v", d)
	}
	d = evaluate(t, s, withCodes(body, "sorry15"))
	wantApplied(t, d, "sorry-voucher", 1500)
	wantTotals(t, d, 1500, 0, 3500)
	d = evaluate(t, s, withCodes(request(now, []line{{"MUG-1", "kitchen", 2, 2500}}, 0, `{"id":"u4","segments":["newsletter"]}`, ""), "SORRY15"))
	wantRejected(t, d, "sorry-voucher", policies.RuleFailed, "voucher is for customers who complained")
	// An anonymous cart cannot use a once-per-customer voucher.
	d = evaluate(t, s, withCodes(request(now, []line{{"MUG-1", "kitchen", 2, 2500}}, 0, "", ""), "SORRY15"))
	wantRejected(t, d, "sorry-voucher", policies.RuleFailed, "")
	// A code that matches nothing is listed as code_invalid.
	d = evaluate(t, s, withCodes(body, "SORRY16"))
	if len(d.Rejected) == 0 || d.Rejected[0].Code != "SORRY16" || d.Rejected[0].Reason != policies.CodeInvalid {
		t.Fatalf("unknown code: %+v", d.Rejected)
	}
}

func TestAnniversary(t *testing.T) {
	s := start(t)
	// Signed up 2025-11-20: 2026-11-24 is in the anniversary week.
	cust := `{"id":"u5","created_at":"2025-11-20T00:00:00Z"}`
	d := evaluate(t, s, request(now, []line{{"SOFA", "furniture", 1, 80000}}, 0, cust, ""))
	wantApplied(t, d, "anniversary-50", 40000)
	// 50% of 2,000.00 is capped at 500.00.
	d = evaluate(t, s, request(now, []line{{"SOFA", "furniture", 2, 100000}}, 0, cust, ""))
	wantApplied(t, d, "anniversary-50", 50000)
	wantTotals(t, d, 50000, 0, 150000)
	d = evaluate(t, s, request("2026-11-27T00:00:00Z", []line{{"SOFA", "furniture", 1, 80000}}, 0, `{"id":"u5","created_at":"2025-11-19T23:59:59Z"}`, ""))
	wantRejected(t, d, "anniversary-50", policies.RuleFailed, "not in the week of the customer's first anniversary")
}

func TestBirthdayWeekInCustomersZone(t *testing.T) {
	s := start(t)
	cust := `{"id":"u6","birthday":"1990-11-27","timezone":"America/Los_Angeles"}`
	cart := []line{{"BOOK", "books", 1, 5000}}
	// 12:00 UTC is 04:00 on the 24th in Los Angeles: 3 days before the birthday.
	d := evaluate(t, s, request(now, cart, 599, cust, ""))
	wantApplied(t, d, "birthday-20", 2000+599)
	wantTotals(t, d, 2000, 599, 3000)
	// 05:00 UTC on the 24th is still the 23rd in Los Angeles: 4 days before.
	d = evaluate(t, s, request("2026-11-24T05:00:00Z", cart, 599, cust, ""))
	wantRejected(t, d, "birthday-20", policies.RuleFailed, "not the customer's birthday week")
	// The same instant is the 24th in UTC, so a customer there qualifies.
	d = evaluate(t, s, request("2026-11-24T05:00:00Z", cart, 599, `{"id":"u6","birthday":"1990-11-27"}`, ""))
	wantApplied(t, d, "birthday-20", 2599)
	// The week wraps the year: a 2 January birthday on 30 December.
	d = evaluate(t, s, request("2026-12-30T12:00:00Z", cart, 599, `{"id":"u6","birthday":"1990-01-02","timezone":"Europe/Berlin"}`, ""))
	wantApplied(t, d, "birthday-20", 2599)
}

func TestStPatricksDayInDublin(t *testing.T) {
	s := start(t)
	irish := `{"id":"u7","country":"IE"}`
	cart := []line{{"HAT", "hats", 1, 10000}}
	d := evaluate(t, s, request("2027-03-17T00:00:00Z", cart, 0, irish, ""))
	wantApplied(t, d, "st-patricks", 1700)
	d = evaluate(t, s, request("2027-03-17T23:59:59Z", cart, 0, irish, ""))
	wantApplied(t, d, "st-patricks", 1700)
	// Written with an offset: 01:00+02:00 is 23:00 on the 16th in Dublin.
	d = evaluate(t, s, request("2027-03-17T01:00:00+02:00", cart, 0, irish, ""))
	wantRejected(t, d, "st-patricks", policies.NotStarted, "")
	d = evaluate(t, s, request("2027-03-18T00:00:00Z", cart, 0, irish, ""))
	wantRejected(t, d, "st-patricks", policies.Expired, "")
	d = evaluate(t, s, request("2027-03-17T12:00:00Z", cart, 0, `{"id":"u8","country":"FR"}`, ""))
	wantRejected(t, d, "st-patricks", policies.RuleFailed, "customer country must be IE")
}

func TestSocksBuyOneGetOne(t *testing.T) {
	s := start(t)
	// Three socks: the cheapest one (5.00) is free, one is bought, one is left.
	d := evaluate(t, s, request(now, []line{{"SOCK-W", "socks", 2, 800}, {"SOCK-B", "socks", 1, 500}}, 0, "", ""))
	wantApplied(t, d, "socks-bogo", 500)
	wantTotals(t, d, 500, 0, 1600)
	// Four socks: the two cheapest are free.
	d = evaluate(t, s, request(now, []line{{"SOCK-W", "socks", 2, 800}, {"SOCK-B", "socks", 2, 500}}, 0, "", ""))
	wantApplied(t, d, "socks-bogo", 1000)
	// One sock: nothing given.
	d = evaluate(t, s, request(now, []line{{"SOCK-W", "socks", 1, 800}, {"TIE", "ties", 1, 3000}}, 0, "", ""))
	wantApplied(t, d, "socks-bogo", 0)
	// No socks at all: the campaign's rule is not even run.
	d = evaluate(t, s, request(now, []line{{"TIE", "ties", 1, 3000}}, 0, "", ""))
	wantRejected(t, d, "socks-bogo", policies.RuleFailed, "no item in the cart matches the campaign's filter")
}

func TestFreeShippingTiers(t *testing.T) {
	s := start(t)
	for _, tc := range []struct {
		tier     string
		subtotal int
		campaign string
		free     bool
	}{
		{"vip", 100, "free-ship-vip", true},
		{"advanced", 3001, "free-ship-advanced", true},
		{"advanced", 3000, "free-ship-advanced", false},
		{"basic", 5001, "free-ship-basic", true},
		{"basic", 5000, "free-ship-basic", false},
		{"basic", 100000, "free-ship-advanced", false},
	} {
		t.Run(fmt.Sprintf("%s-%d-%s", tc.tier, tc.subtotal, tc.campaign), func(t *testing.T) {
			d := evaluate(t, s, request(now, []line{{"PEN", "office", 1, tc.subtotal}}, 599, `{"id":"u9","tier":"`+tc.tier+`"}`, ""))
			if tc.free {
				wantApplied(t, d, tc.campaign, 599)
				wantTotals(t, d, 0, 599, int64(tc.subtotal))
				return
			}
			wantRejected(t, d, tc.campaign, policies.RuleFailed, "")
			if tc.tier == tc.campaign[len("free-ship-"):] && d.ShippingDiscount != 0 {
				t.Fatalf("shipping discount %d", d.ShippingDiscount)
			}
		})
	}
}

func TestBerlinLeatherCase(t *testing.T) {
	s := start(t)
	cart := []line{{"IPHONE-X-64GB", "phones", 1, 99900}, {"CASE-LX", "cases,leather-case", 1, 4999}}
	newCustomer := `{"id":"u10","orders_count":0}`
	d := evaluate(t, s, request(now, cart, 0, newCustomer, "berlin-1"))
	// 50% of 49.99 is 24.995: half-even to 25.00, on the case line only.
	wantApplied(t, d, "berlin-case", 2500)
	if d.Items[0].Discount != 0 || d.Items[1].Discount != 2500 {
		t.Fatalf("items %+v", d.Items)
	}
	d = evaluate(t, s, request(now, cart, 0, newCustomer, "munich-1"))
	wantRejected(t, d, "berlin-case", policies.RuleFailed, "only in the Berlin store")
	d = evaluate(t, s, request(now, cart, 0, `{"id":"u10","orders_count":3}`, "berlin-1"))
	wantRejected(t, d, "berlin-case", policies.RuleFailed, "only for new customers")
	d = evaluate(t, s, request(now, []line{{"IPHONE-X-256GB", "phones", 1, 129900}, {"CASE-LX", "leather-case", 1, 4999}}, 0, newCustomer, "berlin-1"))
	wantRejected(t, d, "berlin-case", policies.RuleFailed, "needs an iPhone X 64GB in the cart")
}

func TestDoubleLoyaltyPointsForVIPs(t *testing.T) {
	s := start(t)
	points := func(d *policies.Decision) map[string]int64 {
		m := map[string]int64{}
		for _, p := range d.Points {
			m[p.Campaign] += p.Points
		}
		return m
	}
	// 100.50 paid: 100 points, doubled for a VIP.
	d := evaluate(t, s, request(now, []line{{"LAMP", "home", 1, 10050}}, 0, `{"id":"u11","tier":"vip"}`, ""))
	if p := points(d); p["loyalty-points"] != 100 || p["loyalty-vip-2x"] != 100 {
		t.Fatalf("vip points %v", p)
	}
	d = evaluate(t, s, request(now, []line{{"LAMP", "home", 1, 10050}}, 0, `{"id":"u12","tier":"basic"}`, ""))
	if p := points(d); p["loyalty-points"] != 100 || p["loyalty-vip-2x"] != 0 {
		t.Fatalf("basic points %v", p)
	}
	wantRejected(t, d, "loyalty-vip-2x", policies.RuleFailed, "loyalty tier must be vip or customer tier must be vip")
	// Points are earned on what is paid after discounts: socks BOGO first.
	d = evaluate(t, s, request(now, []line{{"SOCK", "socks", 2, 1000}}, 0, `{"id":"u11","tier":"vip"}`, ""))
	if p := points(d); p["loyalty-points"] != 10 || p["loyalty-vip-2x"] != 10 {
		t.Fatalf("points after discount %v", p)
	}
}

// Every campaign of the bundle is covered above; this keeps it that way.
func TestEveryExampleCampaignIsTested(t *testing.T) {
	rev, err := bundle.LoadFS(context.Background(), bundle.Config{Source: "embedded"}, examples.Default())
	if err != nil {
		t.Fatal(err)
	}
	tested := []string{"reengage-20", "premium-30", "sorry-voucher", "anniversary-50", "birthday-20", "st-patricks",
		"socks-bogo", "free-ship-vip", "free-ship-advanced", "free-ship-basic", "berlin-case", "loyalty-points", "loyalty-vip-2x",
		"comeback-10", "welcome-15", "store-visit-20"} // the last three in triggers_test.go
	for _, c := range rev.Campaigns() {
		if !slices.Contains(tested, c.ID) {
			t.Errorf("campaign %s has no test", c.ID)
		}
	}
}

// The README's curl example answers exactly what the README shows.
func TestReadmeExample(t *testing.T) {
	s := sidecartest.Start(t, sidecartest.ExampleEngine(t)) // raw HTTP: the exact answer is the point
	body, err := os.ReadFile("requests/vip-birthday.json")
	if err != nil {
		t.Fatal(err)
	}
	status, got := s.Do(t, "POST", "/v1/evaluate", body)
	if status != 200 {
		t.Fatalf("status %d: %s", status, got)
	}
	want, err := os.ReadFile("requests/vip-birthday.answer.json")
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("answer changed:\n%s\nwant (requests/vip-birthday.answer.json, shown in the README):\n%s", got, want)
	}
}
